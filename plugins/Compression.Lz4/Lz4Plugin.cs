using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.Lz4;

/// <summary>lz4 images: the fastest codec, for when the disk is faster than the CPU.</summary>
public sealed class Lz4Plugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "lz4",
            compress: new CommandLine("lz4", ["-q", "-c"]),
            decompress: new CommandLine("lz4", ["-d", "-q", "-c"])));
}
