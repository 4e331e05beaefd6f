using Apart.Abstractions;

namespace Apart.Compression.Zstd;

/// <summary>
/// Random access to zst images written by pzstd (<see cref="ZstdFrameTable"/>): opening reads the
/// frames' headers, no full pass and no index file. A zst image of one frame, as <c>zstd</c> wrote
/// them before, is refused with <see cref="OneFrameMessage"/>: reaching its end
/// would mean decompressing all of it, for every read that misses the cache.
/// </summary>
public sealed class ZstdRandomAccessCodec : IRandomAccessCodec
{
    /// <summary>What a zst image written before zst images were seekable is refused with.</summary>
    public const string OneFrameMessage =
        "This zst image is one frame (made before seekable zst images); it can be restored but not opened in place.";

    /// <inheritdoc/>
    public string Name => "zst";

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A one-frame zst image, made before zst images were seekable.</exception>
    public async ValueTask<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, RandomAccessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(options);
        return await Task.Run(() => ZstdSource.Open(compressed, options.CacheBytes, cancellationToken), cancellationToken).ConfigureAwait(false);
    }
}
