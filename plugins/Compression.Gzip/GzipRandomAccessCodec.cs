using Apart.Abstractions;

namespace Apart.Compression.Gzip;

/// <summary>
/// Random access to gz images (pigz's, gzip's, several members one after another): the first open
/// inflates the whole image once to build an index of access points (<see cref="GzipIndex"/>),
/// every later open reads only that index.
/// </summary>
public sealed class GzipRandomAccessCodec : IRandomAccessCodec
{
    /// <inheritdoc/>
    public string Name => "gz";

    /// <inheritdoc/>
    public async ValueTask<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, RandomAccessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(options);
        var index = GzipIndex.TryLoad(options.IndexFile, compressed)
            ?? await Task.Run(() => GzipIndex.Build(compressed, options.IndexFile, options.Progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new GzipSource(compressed, index, options.CacheBytes);
    }
}
