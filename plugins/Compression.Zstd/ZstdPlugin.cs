using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.Zstd;

/// <summary>zst images: zstd on all cores; <c>--long=31</c> reads images made with long matching too.</summary>
public sealed class ZstdPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "zst",
            compress: new CommandLine("zstd", ["-T0", "-q", "-c"]),
            decompress: new CommandLine("zstd", ["-d", "-q", "-c", "--long=31"]),
            legacyFileExtensions: ["zstd"]));
}
