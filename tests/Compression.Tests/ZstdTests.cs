using Apart.Abstractions;
using Apart.Compression.Zstd;

namespace Apart.Compression.Tests;

/// <summary>zst: pzstd's frames open from their headers; images of one frame, as zstd wrote them before, are refused by name.</summary>
public sealed class ZstdTests(Images images) : IClassFixture<Images>
{
    [Fact]
    public async Task Opening_reads_headers_and_two_frames_not_the_whole_image()
    {
        var compressed = new CountingSource(FileSource.Open(images.Image(Codecs.Compress("zst"))));

        using var source = (ChunkedSource)await new Opening("zst", images.NewDirectory()).OpenAsync(compressed);

        Assert.True(source.ChunkCount >= 4, $"{source.ChunkCount} frames");
        Assert.True(compressed.BytesRead <= compressed.Length * 6 / 10, $"{compressed.BytesRead} of {compressed.Length} bytes read");
        Assert.Equal(images.Data.Length, source.Length);
    }

    [Fact]
    public async Task An_image_of_one_frame_made_by_zstd_is_refused_saying_it_can_be_restored()
    {
        var oneFrame = images.Image(new CommandLine("zstd", ["-T0", "-q", "-c"]));

        var e = await Assert.ThrowsAsync<NotSupportedException>(() => new Opening("zst", images.NewDirectory()).OpenAsync(oneFrame));

        Assert.Equal(ZstdRandomAccessCodec.OneFrameMessage, e.Message);
    }

    [Fact]
    public async Task A_frame_that_holds_less_than_its_neighbours_is_reported_not_served_shifted()
    {
        // Two pzstd images one after another: the first one's short last frame sits in the middle.
        var directory = images.NewDirectory();
        var first = images.Part($"first-{Guid.NewGuid():N}", 0, (9 << 20) + 5);
        var firstImage = first + ".zst";
        Images.Pipe(Codecs.Compress("zst"), first, firstImage);
        var image = Path.Join(directory, "two.zst");
        File.WriteAllBytes(image, [.. File.ReadAllBytes(firstImage), .. File.ReadAllBytes(images.Image(Codecs.Compress("zst")))]);

        using var source = (ChunkedSource)await new Opening("zst", directory).OpenAsync(image);

        Reading.Matches(images.Data, source, 0, 8 << 20);
        var e = Assert.Throws<InvalidDataException>(() => source.Read(source.ChunkStart(1), new byte[10]));
        Assert.Contains("not the", e.Message, StringComparison.Ordinal);
    }
}
