using Apart.Abstractions;

namespace Apart.Compression.None;

/// <summary>Uncompressed images are their own decompressed bytes: opening one reads nothing and keeps nothing.</summary>
public sealed class UncompressedRandomAccessCodec : IRandomAccessCodec
{
    /// <inheritdoc/>
    public string Name => "uncompressed";

    /// <inheritdoc/>
    public ValueTask<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, RandomAccessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        return ValueTask.FromResult(compressed);
    }
}
