namespace Apart.Abstractions;

/// <summary>
/// An <see cref="IImager"/> whose images can be read in place: given an image's decompressed bytes,
/// it serves the bytes of the device the image was made from (unused blocks read as zeros), so
/// the host can mount the filesystem read-only without restoring it.
/// </summary>
public interface IImageReader
{
    /// <summary>
    /// The device held in <paramref name="image"/> (an image of <paramref name="format"/>,
    /// decompressed), <see cref="IRandomAccessSource.Length"/> bytes long as the original was.
    /// The source returned owns <paramref name="image"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an image of this format, or one damaged where it describes itself.</exception>
    /// <exception cref="NotSupportedException">This format cannot be read in place (the message says why).</exception>
    IRandomAccessSource OpenDevice(string format, IRandomAccessSource image);

    /// <summary>
    /// The command that mounts the filesystem of an image of <paramref name="format"/>, held by the
    /// read-only block device <paramref name="device"/>, at <paramref name="mountPoint"/>: read-only,
    /// and without anything that would write even to a read-only device's filesystem (no journal
    /// replay or log recovery), with <c>nodev,nosuid,noexec</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">This machine cannot mount such a filesystem read-only (the message says why).</exception>
    CommandLine Mount(string format, string device, string mountPoint);
}
