using Apart.Abstractions;

namespace Apart.Compression.Lz4;

/// <summary>
/// Random access to lz4 images of independent blocks (<see cref="Lz4BlockTable"/>): opening reads
/// the block headers, no full pass and no index file; block checksums, when present, are checked
/// on every decode.
/// </summary>
public sealed class Lz4RandomAccessCodec : IRandomAccessCodec
{
    /// <inheritdoc/>
    public string Name => "lz4";

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">An image of linked blocks, or in lz4's legacy format.</exception>
    public async ValueTask<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, RandomAccessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(options);
        return await Task.Run(() => Lz4Source.Open(compressed, options.CacheBytes, cancellationToken), cancellationToken).ConfigureAwait(false);
    }
}
