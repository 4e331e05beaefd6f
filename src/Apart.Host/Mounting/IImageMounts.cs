using Apart.Abstractions;

namespace Apart.Host.Mounting;

/// <summary>
/// The images the core has mounted: each one's device bytes served as a read-only file through
/// FUSE, attached read-only to a loop device and mounted read-only with its filesystem's driver.
/// Every mount is recorded before it is made, so a core killed outright leaves nothing mounted
/// or attached once the next one has started.
/// </summary>
internal interface IImageMounts
{
    /// <summary>What is mounted now, in the order it was mounted.</summary>
    IReadOnlyList<ImageMountInfo> Current { get; }

    /// <summary>
    /// Mounts <see cref="ImageMountRequest.Device"/>; on failure nothing of it is left (no mount,
    /// loop device, FUSE server or directory the core made). Takes ownership of the device source.
    /// </summary>
    /// <exception cref="ImageMountException">It could not be mounted (the message says why).</exception>
    Task<ImageMountInfo> MountAsync(ImageMountRequest request, CancellationToken cancellationToken);

    /// <summary>Unmounts the mount <paramref name="id"/> and frees all it held.</summary>
    /// <exception cref="ImageMountException">Unknown id, or busy: the message names the processes (pid and name) that have files open there.</exception>
    Task UnmountAsync(string id, CancellationToken cancellationToken);

    /// <summary>Unmounts everything (a presenter went, the core stops); busy mounts are detached lazily.</summary>
    Task UnmountAllAsync(CancellationToken cancellationToken);
}

/// <summary>An image to mount.</summary>
/// <param name="Source">The image as the presenter named it (reported back, and in status).</param>
/// <param name="Device">The bytes of the device the image was made from.</param>
/// <param name="FsType">The filesystem, as reported back (<c>ext4</c>, <c>ntfs</c>…).</param>
/// <param name="MountCommand">The command that mounts it read-only: given the loop device's path and the mount point.</param>
/// <param name="MountPoint">An existing empty directory chosen by the presenter, or null: the core makes one under its runtime directory.</param>
internal sealed record ImageMountRequest(
    string Source,
    IRandomAccessSource Device,
    string FsType,
    Func<string, string, CommandLine> MountCommand,
    string? MountPoint);

/// <summary>A mounted image.</summary>
/// <param name="Id">Its id on the wire.</param>
/// <param name="Source">The image, as the presenter named it.</param>
/// <param name="Path">Where its files are.</param>
/// <param name="FsType">The filesystem.</param>
internal sealed record ImageMountInfo(string Id, string Source, string Path, string FsType);

/// <summary>Why an image could not be mounted or unmounted, in words for the presenter.</summary>
internal sealed class ImageMountException(string message, Exception? inner = null) : Exception(message, inner);
