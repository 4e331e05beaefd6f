using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.None;

/// <summary>Registers the <c>uncompressed</c> option, and reading its images in place.</summary>
public sealed class NonePlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services)
    {
        services.AddSingleton<ICompressor, UncompressedCompressor>();
        services.AddSingleton<IRandomAccessCodec, UncompressedRandomAccessCodec>();
    }
}
