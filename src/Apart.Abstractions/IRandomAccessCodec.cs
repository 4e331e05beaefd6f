namespace Apart.Abstractions;

/// <summary>
/// Random access to the decompressed bytes of images of one codec, for serving an image's files
/// without restoring it. A codec plugin registers it beside its <see cref="ICompressor"/> when
/// its images allow it; the host finds it by <see cref="Name"/>.
/// </summary>
public interface IRandomAccessCodec
{
    /// <summary>The <see cref="ICompressor.Name"/> of the codec whose images this opens.</summary>
    string Name { get; }

    /// <summary>
    /// Opens the decompressed bytes of <paramref name="compressed"/> (the image file, or its pieces
    /// one after another). Whatever the codec needs to find its way (an index of access points) it
    /// keeps in <see cref="RandomAccessOptions.IndexFile"/>, building it on first use, never next to
    /// the image. The source returned owns <paramref name="compressed"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an image of this codec, or a damaged one (the message says which).</exception>
    /// <exception cref="NotSupportedException">An image of this codec written in a way that cannot be read in place (a zst image of one frame); the message says so, and that it can still be restored.</exception>
    ValueTask<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, RandomAccessOptions options, CancellationToken cancellationToken = default);
}

/// <summary>How a codec may open an image for random access.</summary>
/// <param name="IndexFile">
/// Where the codec may keep what it learns about this image (it may not exist yet; the host names
/// it after the image's identity, so a changed image gets a new name). Write it under a temporary
/// name and rename it, so a half-written index is never read.
/// </param>
/// <param name="CacheBytes">The most decompressed data the source may hold in memory at once.</param>
/// <param name="Progress">Told the compressed bytes read so far while an index is being built.</param>
public sealed record RandomAccessOptions(string IndexFile, long CacheBytes, IProgress<long>? Progress = null);
