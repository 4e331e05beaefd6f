using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.Gzip;

/// <summary>gz images: pigz at its fastest level, which keeps up with partclone on every core; read in place through an index.</summary>
public sealed class GzipPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services)
    {
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "gz",
            compress: new CommandLine("pigz", ["-1", "-c"]),
            decompress: new CommandLine("pigz", ["-d", "-c"])));
        services.AddSingleton<IRandomAccessCodec>(new GzipRandomAccessCodec());
    }
}
