using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.None;

/// <summary>Registers the <c>uncompressed</c> option.</summary>
public sealed class NonePlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ICompressor, UncompressedCompressor>();
}
