using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>Opening images through a codec, with an index file and progress of their own.</summary>
public sealed class Opening(string codec, string directory)
{
    public const long DefaultCache = 64L << 20;

    public string IndexFile { get; } = Path.Join(directory, "index", "image.idx");

    public List<long> Progress { get; } = [];

    /// <summary>Opens <paramref name="compressed"/>; at most 60 s, so a hang fails the test.</summary>
    public async Task<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, long cacheBytes = DefaultCache, CancellationToken cancellationToken = default)
    {
        var progress = new SynchronousProgress(Progress);
        var options = new RandomAccessOptions(IndexFile, cacheBytes, progress);
        return await Codecs.Codec(codec).OpenAsync(compressed, options, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    public Task<IRandomAccessSource> OpenAsync(string path, long cacheBytes = DefaultCache) => OpenAsync(new CountingSource(FileSource.Open(path)), cacheBytes);

    /// <summary><see cref="IProgress{T}"/> that records on the reporting thread, so nothing arrives after the open returns.</summary>
    private sealed class SynchronousProgress(List<long> reported) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (reported)
            {
                reported.Add(value);
            }
        }
    }
}
