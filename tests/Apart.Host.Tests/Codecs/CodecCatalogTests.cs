using Apart.Abstractions;
using Apart.Compression.None;
using Apart.Host.Codecs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Host.Tests.Codecs;

public sealed class CodecCatalogTests
{
    private static ProgramCompressor Codec(string name, string program) =>
        new(name, new CommandLine(program, ["-c"]), new CommandLine(program, ["-d", "-c"]));

    [Fact]
    public async Task Options_follow_the_protocol_order_then_names_and_only_working_programs()
    {
        var catalog = new CodecCatalog(
            [Codec("lz4", "lz4"), Codec("zz-third-party", "gzip"), Codec("missing", "no-such-codec-program"), Codec("zst", "zstd"), new UncompressedCompressor(), Codec("gz", "pigz")],
            NullLogger<CodecCatalog>.Instance);

        await catalog.ProbeAsync(CancellationToken.None);

        Assert.Equal(["gz", "uncompressed", "zst", "lz4", "zz-third-party"], catalog.Options);
        Assert.Null(catalog.ByName("missing"));
        Assert.NotNull(catalog.ByExtension("missing"));
    }

    [Fact]
    public async Task Legacy_extensions_find_their_codec()
    {
        var zstd = new ProgramCompressor("zst", new CommandLine("zstd", []), new CommandLine("zstd", ["-d"]), legacyFileExtensions: ["zstd"]);
        var catalog = new CodecCatalog([zstd], NullLogger<CodecCatalog>.Instance);
        await catalog.ProbeAsync(CancellationToken.None);

        Assert.Same(zstd, catalog.ByExtension("zstd"));
        Assert.Same(zstd, catalog.ByExtension("zst"));
    }
}
