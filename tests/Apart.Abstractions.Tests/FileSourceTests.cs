using System.Security.Cryptography;

namespace Apart.Abstractions.Tests;

/// <summary>An image file, or its pieces one after another, read at any offset from any thread, and never written.</summary>
public sealed class FileSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("apart-filesource-").FullName;
    private readonly byte[] _data = RandomNumberGenerator.GetBytes(1_000_003);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] Pieces(params int[] sizes)
    {
        var paths = new string[sizes.Length];
        var offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            paths[i] = Path.Join(_directory, $"image.a{(char)('a' + i)}");
            File.WriteAllBytes(paths[i], _data.AsSpan(offset, sizes[i]).ToArray());
            offset += sizes[i];
        }

        return paths;
    }

    private void Matches(FileSource source, long offset, int length)
    {
        var buffer = new byte[length];
        var read = source.Read(offset, buffer);
        var available = (int)Math.Clamp(_data.Length - offset, 0, length);
        Assert.Equal(available, read);
        Assert.True(buffer.AsSpan(0, read).SequenceEqual(_data.AsSpan((int)Math.Min(offset, _data.Length), available)), $"{length} at {offset}");
    }

    [Fact]
    public void One_file_reads_at_any_offset_and_short_only_at_its_end()
    {
        using var source = FileSource.Open(Pieces(_data.Length)[0]);

        Assert.Equal(_data.Length, source.Length);
        Matches(source, 0, 4096);
        Matches(source, 777_777, 100_000);
        Matches(source, _data.Length - 10, 100);
        Matches(source, _data.Length, 100);
        Matches(source, _data.Length + 5, 100);
    }

    [Fact]
    public void Pieces_read_as_one_across_their_boundaries_and_an_empty_piece()
    {
        using var source = FileSource.Open(Pieces(300_000, 0, 400_000, 1, 300_002));

        Assert.Equal(_data.Length, source.Length);
        Matches(source, 0, _data.Length);
        Matches(source, 299_990, 20);
        Matches(source, 300_000, 1);
        Matches(source, 699_999, 3);
        Matches(source, 700_000, 1);
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            Matches(source, random.Next(_data.Length), random.Next(1, 200_000));
        }
    }

    [Fact]
    public async Task Threads_reading_at_once_each_get_their_own_bytes()
    {
        using var source = FileSource.Open(Pieces(500_000, 500_003));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            for (var i = 0; i < 500; i++)
            {
                Matches(source, random.Next(_data.Length), random.Next(1, 70_000));
            }
        })));
    }

    [Fact]
    public void Reading_leaves_the_files_as_they_were_and_works_on_read_only_files()
    {
        var paths = Pieces(600_000, 400_003);
        var written = paths.Select(File.GetLastWriteTimeUtc).ToArray();
        foreach (var path in paths)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead);
        }

        using (var source = FileSource.Open(paths))
        {
            Matches(source, 0, _data.Length);
        }

        Assert.Equal(written, paths.Select(File.GetLastWriteTimeUtc));
        Assert.Equal(_data, paths.SelectMany(File.ReadAllBytes));
    }

    [Fact]
    public void A_piece_that_shrank_after_opening_is_an_IO_error_not_a_short_read()
    {
        var paths = Pieces(500_000, 500_003);
        using var source = FileSource.Open(paths);
        File.WriteAllBytes(paths[0], _data.AsSpan(0, 1000).ToArray());

        Assert.Throws<IOException>(() => source.Read(400_000, new byte[200_000]));
    }

    [Fact]
    public void A_missing_piece_fails_the_open_and_a_closed_source_refuses_reads()
    {
        var paths = Pieces(500_000, 500_003);
        Assert.Throws<FileNotFoundException>(() => FileSource.Open([paths[0], Path.Join(_directory, "missing")]));
        Assert.Throws<ArgumentException>(() => FileSource.Open(Array.Empty<string>()));

        var source = FileSource.Open(paths);
        source.Dispose();

        Assert.Throws<ObjectDisposedException>(() => source.Read(0, new byte[1]));
    }
}
