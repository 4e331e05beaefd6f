using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>lz4: independent blocks open from their headers, in one frame or several; linked blocks are refused by name.</summary>
public sealed class Lz4Tests(Images images) : IClassFixture<Images>
{
    [Fact]
    public async Task Opening_reads_block_headers_and_the_last_block_not_the_whole_image()
    {
        var compressed = new CountingSource(FileSource.Open(images.Image(Codecs.Compress("lz4"))));

        using var source = (ChunkedSource)await new Opening("lz4", images.NewDirectory()).OpenAsync(compressed);

        Assert.True(source.ChunkCount >= 7, $"{source.ChunkCount} blocks");
        Assert.True(compressed.BytesRead <= compressed.Length / 4, $"{compressed.BytesRead} of {compressed.Length} bytes read");
    }

    [Fact]
    public async Task Frames_one_after_another_read_as_one_stream()
    {
        var directory = images.NewDirectory();
        var image = Path.Join(directory, "frames.lz4");
        var cut = (5 << 20) + 777;
        var first = images.Part($"first-{Guid.NewGuid():N}", 0, cut);
        var second = images.Part($"second-{Guid.NewGuid():N}", cut, images.Data.Length - cut);
        Images.Pipe(Codecs.Compress("lz4"), first, first + ".lz4");
        // Without block checksums, as lz4 writes by default: opens too.
        Images.Pipe(new CommandLine("lz4", ["-q", "-c"]), second, second + ".lz4");
        File.WriteAllBytes(image, [.. File.ReadAllBytes(first + ".lz4"), .. File.ReadAllBytes(second + ".lz4")]);

        using var source = await new Opening("lz4", directory).OpenAsync(image);

        Assert.Equal(images.Data.Length, source.Length);
        Reading.Matches(images.Data, source, cut - 5000, 10000);
        Reading.AllMatches(images.Data, source, 3 << 20);
    }

    [Theory]
    [InlineData("-BD", "linked blocks")]
    [InlineData("-l", "legacy format")]
    public async Task Images_whose_blocks_do_not_decode_alone_are_refused_saying_they_can_be_restored(string option, string reason)
    {
        var image = images.Image(new CommandLine("lz4", ["-q", "-c", option]));

        var e = await Assert.ThrowsAsync<NotSupportedException>(() => new Opening("lz4", images.NewDirectory()).OpenAsync(image));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("can be restored", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plugin_writes_independent_checksummed_4_MiB_blocks()
    {
        var header = File.ReadAllBytes(images.Image(Codecs.Compress("lz4"))).AsSpan(4, 2);

        Assert.Equal(0b0111_0100, header[0]); // version 1, independent blocks, block checksums, content checksum
        Assert.Equal(0x70, header[1]); // 4 MiB blocks
    }
}
