using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>gz: the index of access points is built once, kept, trusted only when it is the image's, and rebuilt otherwise.</summary>
public sealed class GzipIndexTests(Images images) : IClassFixture<Images>
{
    private string Pigz => images.Image(Codecs.Compress("gz"));

    [Fact]
    public async Task The_first_open_inflates_the_whole_image_reporting_progress_and_keeps_an_index()
    {
        var opening = new Opening("gz", images.NewDirectory());
        var compressed = new CountingSource(FileSource.Open(Pigz));

        using var source = await opening.OpenAsync(compressed);

        Assert.True(compressed.BytesRead >= compressed.Length);
        Assert.NotEmpty(opening.Progress);
        Assert.Equal(compressed.Length, opening.Progress[^1]);
        Assert.True(File.Exists(opening.IndexFile));
        Assert.Equal([Path.GetFileName(opening.IndexFile)], Directory.GetFiles(Path.GetDirectoryName(opening.IndexFile)!).Select(Path.GetFileName));
        Reading.RandomReadsMatch(images.Data, source, count: 20, seed: 5);
    }

    [Fact]
    public async Task A_second_open_reads_only_the_index_and_no_compressed_data_but_the_trailer()
    {
        var opening = new Opening("gz", images.NewDirectory());
        (await opening.OpenAsync(Pigz)).Dispose();
        opening.Progress.Clear();
        var compressed = new CountingSource(FileSource.Open(Pigz));

        using var source = await opening.OpenAsync(compressed);

        Assert.Empty(opening.Progress);
        Assert.InRange(compressed.BytesRead, 1, 8);
        Reading.RandomReadsMatch(images.Data, source, count: 50, seed: 6);
    }

    [Theory]
    [InlineData("garbled")]
    [InlineData("truncated")]
    [InlineData("another image's")]
    [InlineData("not an index")]
    public async Task An_index_that_is_not_this_images_is_rebuilt(string kind)
    {
        var opening = new Opening("gz", images.NewDirectory());
        (await opening.OpenAsync(Pigz)).Dispose();
        var built = File.ReadAllBytes(opening.IndexFile);
        var index = built.ToArray();
        switch (kind)
        {
            case "garbled":
                index[index.Length / 2] ^= 0x10;
                File.WriteAllBytes(opening.IndexFile, index);
                break;
            case "truncated":
                File.WriteAllBytes(opening.IndexFile, index.AsSpan(0, index.Length - 10).ToArray());
                break;
            case "another image's":
                var other = new Opening("gz", images.NewDirectory());
                var otherImage = images.Image(new CommandLine("gzip", ["-6", "-n", "-c"]));
                (await other.OpenAsync(otherImage)).Dispose();
                File.Copy(other.IndexFile, opening.IndexFile, overwrite: true);
                break;
            default:
                File.WriteAllText(opening.IndexFile, "hello");
                break;
        }

        opening.Progress.Clear();

        using var source = await opening.OpenAsync(Pigz);

        Assert.NotEmpty(opening.Progress);
        Assert.Equal(built, File.ReadAllBytes(opening.IndexFile));
        Reading.RandomReadsMatch(images.Data, source, count: 30, seed: 8);
    }

    [Fact]
    public async Task An_image_changed_since_its_index_was_built_gets_a_new_index()
    {
        var directory = images.NewDirectory();
        var image = Path.Join(directory, "image.gz");
        File.Copy(Pigz, image);
        var opening = new Opening("gz", directory);
        (await opening.OpenAsync(image)).Dispose();
        var changed = Images.MakeData(Images.DataLength, seed: 99);
        var data = Path.Join(directory, "changed");
        File.WriteAllBytes(data, changed);
        Images.Pipe(Codecs.Compress("gz"), data, image);
        opening.Progress.Clear();

        using var source = await opening.OpenAsync(image);

        Assert.NotEmpty(opening.Progress);
        Reading.RandomReadsMatch(changed, source, count: 30, seed: 9);
    }

    [Fact]
    public async Task Concatenated_gzip_members_read_across_their_boundaries()
    {
        var directory = images.NewDirectory();
        var image = Path.Join(directory, "members.gz");
        using (var output = File.Create(image))
        {
            // Members of 1.3 MiB: several inside one 4 MiB span between access points.
            var size = 1_300_000;
            for (var (offset, i) = (0, 0); offset < images.Data.Length; offset += size, i++)
            {
                var part = images.Part($"part-{Guid.NewGuid():N}", offset, Math.Min(size, images.Data.Length - offset));
                var member = part + ".gz";
                Images.Pipe(i % 2 == 0 ? new CommandLine("gzip", ["-c"]) : new CommandLine("pigz", ["-1", "-c"]), part, member);
                using var input = File.OpenRead(member);
                input.CopyTo(output);
            }
        }

        using var source = await new Opening("gz", directory).OpenAsync(image);

        Assert.Equal(images.Data.Length, source.Length);
        for (var offset = 1_300_000L; offset < images.Data.Length; offset += 1_300_000)
        {
            Reading.Matches(images.Data, source, offset - 3000, 6000);
        }

        Reading.AllMatches(images.Data, source, 3 << 20);
        Reading.RandomReadsMatch(images.Data, source, count: 50, seed: 10);
    }

    [Fact]
    public async Task An_image_in_pieces_reads_as_one()
    {
        var directory = images.NewDirectory();
        var bytes = File.ReadAllBytes(Pigz);
        var pieces = new List<string>();
        for (var (offset, i) = (0, 0); offset < bytes.Length; offset += 3_000_017, i++)
        {
            var piece = Path.Join(directory, $"image.gz.a{(char)('a' + i)}");
            File.WriteAllBytes(piece, bytes.AsSpan(offset, Math.Min(3_000_017, bytes.Length - offset)).ToArray());
            pieces.Add(piece);
        }

        using var source = await new Opening("gz", directory).OpenAsync(new CountingSource(FileSource.Open(pieces)));

        Assert.True(pieces.Count >= 3);
        Reading.AllMatches(images.Data, source, 1 << 20);
    }

    [Fact]
    public async Task A_cancelled_build_leaves_no_index_and_no_temporary_file()
    {
        var opening = new Opening("gz", images.NewDirectory());
        using var cancellation = new CancellationTokenSource();
        var compressed = new CountingSource(FileSource.Open(Pigz));
        var cancelling = new CancellingSource(compressed, after: 1 << 20, cancellation);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening.OpenAsync(cancelling, cancellationToken: cancellation.Token));

        Assert.True(compressed.BytesRead < compressed.Length);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(opening.IndexFile)!));
    }

    [Fact]
    public async Task A_damaged_image_with_an_index_fails_to_read_only_where_it_is_damaged()
    {
        var directory = images.NewDirectory();
        var image = Path.Join(directory, "image.gz");
        File.Copy(Pigz, image);
        var opening = new Opening("gz", directory);
        (await opening.OpenAsync(image)).Dispose();
        var bytes = File.ReadAllBytes(image);
        var damage = bytes.Length / 2;
        bytes.AsSpan(damage, 4096).Fill(0xA5);
        File.WriteAllBytes(image, bytes);
        opening.Progress.Clear();

        using var source = (ChunkedSource)await opening.OpenAsync(image);

        Assert.Empty(opening.Progress);
        var wrong = 0;
        for (var i = 0; i < source.ChunkCount; i++)
        {
            var expected = images.Data.AsSpan((int)source.ChunkStart(i), (int)source.ChunkLength(i)).ToArray();
            var buffer = new byte[expected.Length];
            var read = Task.Run(() => source.Read(source.ChunkStart(i), buffer)).WaitAsync(TimeSpan.FromSeconds(30));
            try
            {
                await read;
                wrong += buffer.AsSpan().SequenceEqual(expected) ? 0 : 1;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
                wrong++;
            }
        }

        // Inflating without the member's CRC cannot always tell damage, but it stays in its chunks.
        Assert.InRange(wrong, 1, 2);
    }

    [Fact]
    public async Task A_truncated_image_is_refused_when_its_index_is_built()
    {
        var directory = images.NewDirectory();
        var cut = Path.Join(directory, "cut.gz");
        var bytes = File.ReadAllBytes(Pigz);
        // Cut just before the trailer: all deflate data there, the CRC and length missing.
        File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length - 4).ToArray());

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new Opening("gz", directory).OpenAsync(cut));

        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Cancels once a number of bytes have been read through it.</summary>
    private sealed class CancellingSource(CountingSource inner, long after, CancellationTokenSource cancellation) : IRandomAccessSource
    {
        public long Length => inner.Length;

        public int Read(long offset, Span<byte> buffer)
        {
            if (inner.BytesRead >= after)
            {
                cancellation.Cancel();
            }

            return inner.Read(offset, buffer);
        }

        public void Dispose() => inner.Dispose();
    }
}
