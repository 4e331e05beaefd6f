namespace Apart.Abstractions;

/// <summary>
/// Turns a filesystem into an image stream and back. The host runs the programs it names with
/// the image on standard output (clone) or standard input (restore, check), compressed and
/// decompressed by a codec in between, and their progress on standard error; it claims the
/// devices, names and flushes the files, and checks sizes before anything is written.
/// </summary>
/// <remarks>
/// An image's format is a short name this imager chooses (<c>ext4</c>, <c>dd</c>…). It is part of
/// the image's file name (<c>NAME-TIME.apt.FORMAT.CODEC</c>) and is all a restore years later
/// has to go by, so a format, once used, must keep its meaning.
/// </remarks>
public interface IImager
{
    /// <summary>
    /// The format an image of a filesystem of this type gets (blkid's type name, or null when
    /// the device holds nothing recognised). Every device can be imaged somehow, if only as its
    /// raw bytes, so this never fails.
    /// </summary>
    string FormatFor(string? fsType);

    /// <summary>
    /// Why images of <paramref name="format"/> cannot be restored or checked on this machine
    /// (<c>partclone.xfs is not installed</c>, <c>not a format of this imager</c>), or null when they can.
    /// </summary>
    string? CannotRead(string format);

    /// <summary>Writes an image of <paramref name="source"/> to standard output.</summary>
    ImagingCommand Clone(string format, DeviceExtent source);

    /// <summary>Writes the image read from standard input to <paramref name="destination"/>.</summary>
    ImagingCommand Restore(string format, DeviceExtent destination);

    /// <summary>How the host tells a whole image of this format from a damaged one.</summary>
    ImageCheck Check(string format);

    /// <summary>
    /// The size in bytes of the device the image was made from, as the image itself records it,
    /// read from the start of <paramref name="image"/> (decompressed); null when the format does
    /// not record it. The host needs it before a restore, to refuse a device too small.
    /// </summary>
    /// <param name="format">The image's format.</param>
    /// <param name="image">The decompressed image from its first byte; read only as far as needed.</param>
    /// <param name="length">The decompressed image's length, when known without reading it (an uncompressed file).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="InvalidDataException">The image does not start as an image of this format does.</exception>
    ValueTask<long?> ReadSourceSizeAsync(string format, Stream image, long? length, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes a device that <see cref="Restore"/> wrote, where its program leaves something out,
    /// before the host flushes it; most imagers do nothing here. The device is still held by the
    /// host; open it by path, without O_EXCL.
    /// </summary>
    ValueTask CompleteRestoreAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default);

    /// <summary>
    /// Grows the filesystem <see cref="Restore"/> wrote to fill <paramref name="device"/>, larger
    /// than the one it was imaged from. Returns null when it grew (or already fills the device), or
    /// a sentence saying why it was left at its size (a filesystem of this format cannot grow).
    /// </summary>
    ValueTask<string?> GrowAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default);
}
