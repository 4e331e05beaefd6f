using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.Zstd;

/// <summary>
/// zst images: written by pzstd on all cores, as independent frames each announced by its size, so
/// they open in place without a full pass (<see cref="ZstdRandomAccessCodec"/>); plain <c>zstd -d</c>
/// restores them. <c>--long=31</c> reads images made with long matching too.
/// </summary>
public sealed class ZstdPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services)
    {
        // pzstd's level is given: its help claims its default is the number of cores.
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "zst",
            compress: new CommandLine("pzstd", ["-3", "-q", "-c"]),
            decompress: new CommandLine("zstd", ["-d", "-q", "-c", "--long=31"]),
            legacyFileExtensions: ["zstd"]));
        services.AddSingleton<IRandomAccessCodec>(new ZstdRandomAccessCodec());
    }
}
