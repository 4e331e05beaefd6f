using Apart.Abstractions;
using Apart.Compression.Gzip;
using Apart.Compression.Lz4;
using Apart.Compression.None;
using Apart.Compression.Zstd;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Compression.Tests;

/// <summary>The codec plugins as the host sees them: what each registers.</summary>
public static class Codecs
{
    public static TheoryData<string> CompressedNames => ["gz", "zst", "lz4"];

    public static TheoryData<string> AllNames => ["uncompressed", "gz", "zst", "lz4"];

    public static IApartPlugin Plugin(string name) => name switch
    {
        "uncompressed" => new NonePlugin(),
        "gz" => new GzipPlugin(),
        "zst" => new ZstdPlugin(),
        "lz4" => new Lz4Plugin(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static (ICompressor Compressor, IRandomAccessCodec Codec) Registered(string name)
    {
        var services = new ServiceCollection();
        Plugin(name).Configure(services);
        using var provider = services.BuildServiceProvider();
        return (provider.GetServices<ICompressor>().Single(), provider.GetServices<IRandomAccessCodec>().Single());
    }

    /// <summary>The plugin's own compress command: the images the core writes from now on.</summary>
    public static CommandLine Compress(string name) => Registered(name).Compressor.Compress ?? new CommandLine("cat", []);

    public static IRandomAccessCodec Codec(string name) => Registered(name).Codec;
}
