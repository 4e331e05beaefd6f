using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>Every codec: images its plugin's own command writes open in place and read as the original.</summary>
public sealed class CodecTests(Images images) : IClassFixture<Images>
{
    [Theory]
    [MemberData(nameof(Codecs.AllNames), MemberType = typeof(Codecs))]
    public void Each_plugin_registers_a_random_access_codec_named_after_its_compressor(string name)
    {
        var (compressor, codec) = Codecs.Registered(name);
        Assert.Equal(name, compressor.Name);
        Assert.Equal(compressor.Name, codec.Name);
    }

    [Theory]
    [MemberData(nameof(Codecs.AllNames), MemberType = typeof(Codecs))]
    public async Task An_image_reads_as_the_original_at_random_offsets_across_chunks_and_at_its_end(string name)
    {
        var image = images.Image(Codecs.Compress(name));
        using var source = await new Opening(name, images.NewDirectory()).OpenAsync(image);

        Assert.Equal(images.Data.Length, source.Length);
        if (source is ChunkedSource chunks)
        {
            Assert.True(chunks.ChunkCount >= 4, $"{chunks.ChunkCount} chunks");
            for (var i = 1; i < chunks.ChunkCount; i++)
            {
                Reading.Matches(images.Data, source, chunks.ChunkStart(i) - 100, 200);
                Reading.Matches(images.Data, source, chunks.ChunkStart(i), 1);
                Reading.Matches(images.Data, source, chunks.ChunkStart(i) - 1, 1);
            }
        }

        Reading.Matches(images.Data, source, 0, 9 << 20);
        Reading.Matches(images.Data, source, source.Length - 100, 100);
        Reading.Matches(images.Data, source, source.Length - 100, 4096);
        Reading.Matches(images.Data, source, source.Length, 10);
        Reading.Matches(images.Data, source, source.Length + 12345, 10);
        Reading.RandomReadsMatch(images.Data, source, count: 200, seed: 1);
    }

    [Theory]
    [MemberData(nameof(Codecs.CompressedNames), MemberType = typeof(Codecs))]
    public void An_image_restores_with_the_plugins_decompress_command(string name)
    {
        var (compressor, _) = Codecs.Registered(name);
        var restored = Path.Join(images.NewDirectory(), "restored");
        Images.Pipe(compressor.Decompress!, images.Image(compressor.Compress!), restored);
        Assert.True(File.ReadAllBytes(restored).AsSpan().SequenceEqual(images.Data));
    }

    [Theory]
    [MemberData(nameof(Codecs.AllNames), MemberType = typeof(Codecs))]
    public async Task Reads_from_several_threads_at_once_match(string name)
    {
        using var source = await new Opening(name, images.NewDirectory()).OpenAsync(images.Image(Codecs.Compress(name)), cacheBytes: 12L << 20);

        var readers = Enumerable.Range(0, 6).Select(seed => Task.Run(() => Reading.RandomReadsMatch(images.Data, source, count: 60, seed)));

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(120));
    }

    [Theory]
    [MemberData(nameof(Codecs.CompressedNames), MemberType = typeof(Codecs))]
    public async Task The_cache_keeps_chunks_but_never_more_than_its_ceiling(string name)
    {
        const long ceiling = 9L << 20;
        using var source = (ChunkedSource)await new Opening(name, images.NewDirectory()).OpenAsync(images.Image(Codecs.Compress(name)), ceiling);
        var random = new Random(7);
        long most = 0;
        for (var i = 0; i < 100; i++)
        {
            Reading.Matches(images.Data, source, random.NextInt64(images.Data.Length), random.Next(1, 2 << 20));
            Assert.InRange(source.CachedBytes, 0, ceiling);
            most = Math.Max(most, source.CachedBytes);
        }

        Assert.True(most >= 4 << 20, $"the cache held at most {most} bytes");
    }

    [Theory]
    [MemberData(nameof(Codecs.CompressedNames), MemberType = typeof(Codecs))]
    public async Task Without_a_cache_reads_still_match(string name)
    {
        using var source = (ChunkedSource)await new Opening(name, images.NewDirectory()).OpenAsync(images.Image(Codecs.Compress(name)), cacheBytes: 0);

        Reading.RandomReadsMatch(images.Data, source, count: 30, seed: 3);
        Assert.Equal(0, source.CachedBytes);
    }

    [Theory]
    [MemberData(nameof(Codecs.CompressedNames), MemberType = typeof(Codecs))]
    public async Task A_truncated_image_is_refused_with_the_reason(string name)
    {
        var image = images.Image(Codecs.Compress(name));
        var truncated = Path.Join(images.NewDirectory(), "truncated");
        File.WriteAllBytes(truncated, File.ReadAllBytes(image).AsSpan(0, (int)(new FileInfo(image).Length * 55 / 100)).ToArray());

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new Opening(name, images.NewDirectory()).OpenAsync(truncated));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codecs.CompressedNames), MemberType = typeof(Codecs))]
    public async Task A_corrupted_image_is_refused_or_fails_to_read_only_where_it_is_damaged(string name)
    {
        var bytes = File.ReadAllBytes(images.Image(Codecs.Compress(name)));
        bytes.AsSpan(bytes.Length * 45 / 100, 64).Fill(0xA5);
        var corrupted = Path.Join(images.NewDirectory(), "corrupted");
        File.WriteAllBytes(corrupted, bytes);

        IRandomAccessSource source;
        try
        {
            source = await new Opening(name, images.NewDirectory()).OpenAsync(corrupted);
        }
        catch (InvalidDataException e)
        {
            Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
            return;
        }

        using (source)
        {
            var chunks = (ChunkedSource)source;
            var damaged = 0;
            for (var i = 0; i < chunks.ChunkCount; i++)
            {
                var start = chunks.ChunkStart(i);
                var length = (int)chunks.ChunkLength(i);
                try
                {
                    Reading.Matches(images.Data, source, start, length);
                }
                catch (InvalidDataException e)
                {
                    Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
                    damaged++;
                }
            }

            Assert.InRange(damaged, 1, 2);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs.CompressedNames), MemberType = typeof(Codecs))]
    public async Task Bytes_that_are_not_an_image_of_the_codec_are_refused(string name)
    {
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new Opening(name, images.NewDirectory()).OpenAsync(images.DataFile));
        Assert.Contains("Not a", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codecs.AllNames), MemberType = typeof(Codecs))]
    public async Task The_source_owns_the_compressed_source(string name)
    {
        var compressed = new CountingSource(FileSource.Open(images.Image(Codecs.Compress(name))));
        var source = await new Opening(name, images.NewDirectory()).OpenAsync(compressed);

        source.Dispose();

        Assert.True(compressed.Disposed);
        Assert.Throws<ObjectDisposedException>(() => source.Read(0, new byte[1]));
    }
}
