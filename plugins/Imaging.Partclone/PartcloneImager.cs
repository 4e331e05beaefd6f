using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Images filesystems with partclone, calling it exactly as the original core did (docs/PROTOCOL.md §1),
/// because presenters' test harnesses replace partclone with stand-ins that parse only those
/// options: clone <c>PREFIX.V -c -s SOURCE</c>, restore <c>PREFIX.V -r -o DEST</c>, raw images
/// through <c>PREFIX.dd</c> without <c>-c</c>/<c>-r</c>, checks with <c>PREFIX.chkimg -s -</c>.
/// A format is partclone's variant: the tool's name (<c>ext4</c>, <c>vfat</c>, <c>dd</c>).
/// Its images are read in place too (<see cref="IImageReader"/>): the device served from the
/// image's used blocks, mounted read-only with the filesystem's driver.
/// </summary>
public sealed class PartcloneImager : IImager, IImageReader
{
    private const string CheckVariant = "chkimg";
    private const string NtfsVariant = "ntfs";

    private readonly PartcloneLocator _locator;

    /// <summary>Creates an imager running the tools <paramref name="locator"/> finds.</summary>
    public PartcloneImager(PartcloneLocator locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        _locator = locator;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Takes blkid's type names case-insensitively. A type this imager knows maps to its tool
    /// (all FAT types to <c>vfat</c>, <c>hfsplus</c> to <c>hfsplus</c>…); any other type is tried as
    /// a tool name of its own, as the original core did. Without a tool, <c>dd</c>: raw bytes.
    /// </remarks>
    public string FormatFor(string? fsType)
    {
        if (string.IsNullOrWhiteSpace(fsType))
        {
            return FilesystemVariants.Raw;
        }

        return FilesystemVariants.Candidates(fsType).FirstOrDefault(_locator.IsInstalled) ?? FilesystemVariants.Raw;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Names that cannot be a variant (anything but lowercase letters and digits, so an image name
    /// can never point outside partclone's tools) and partclone's tools that do not image a
    /// filesystem (<c>chkimg</c>, <c>info</c>, <c>restore</c>…) are not formats.
    /// </remarks>
    public string? CannotRead(string format) =>
        !FilesystemVariants.IsImagingVariant(format) ? $"'{format}' is not a partclone variant"
        : !_locator.IsInstalled(format) ? $"{_locator.ProgramPath(format)} is not installed"
        : null;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The format is not a variant name, or the device path is empty.</exception>
    public ImagingCommand Clone(string format, DeviceExtent source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(source.Path);
        var program = Program(format);
        return Run(format == FilesystemVariants.Raw
            ? new CommandLine(program, ["-s", source.Path])
            : new CommandLine(program, ["-c", "-s", source.Path]));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The format is not a variant name, or the device path is empty.</exception>
    public ImagingCommand Restore(string format, DeviceExtent destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination.Path);
        var program = Program(format);
        return Run(format == FilesystemVariants.Raw
            ? new CommandLine(program, ["-o", destination.Path])
            : new CommandLine(program, ["-r", "-o", destination.Path]));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// partclone.chkimg learns the filesystem from the image header, so one tool checks every
    /// variant; raw (dd) images have no structure to check, only their length.
    /// </remarks>
    /// <exception cref="ArgumentException">The format is not a variant name.</exception>
    public ImageCheck Check(string format)
    {
        ThrowIfNotVariant(format);
        return format == FilesystemVariants.Raw
            ? new ImageCheck.DeviceBytes()
            : new ImageCheck.Program(Run(new CommandLine(_locator.ProgramPath(CheckVariant), ["-s", "-"])));
    }

    /// <inheritdoc/>
    /// <remarks>A partclone image's header records the device size; a raw image is the device's bytes, as long as the device.</remarks>
    public async ValueTask<long?> ReadSourceSizeAsync(string format, Stream image, long? length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (format == FilesystemVariants.Raw)
        {
            return length;
        }

        var head = new byte[PartcloneImageHeader.Length];
        var read = await image.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return PartcloneImageHeader.TryRead(head.AsSpan(0, read))?.DeviceSize
            ?? throw new InvalidDataException("it is damaged or not a partclone image: its header cannot be read.");
    }

    /// <inheritdoc/>
    /// <remarks>partclone never images NTFS's backup boot sector (partclone issue #69): it is written here.</remarks>
    public async ValueTask CompleteRestoreAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (format != NtfsVariant)
        {
            return;
        }

        var stream = new FileStream(device.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        await using (stream.ConfigureAwait(false))
        {
            NtfsBackupBootSector.Write(stream, device.Size);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// ext2/3/4 (e2fsck -f, then resize2fs), NTFS (ntfsresize), XFS (xfs_growfs) and Btrfs
    /// (btrfs filesystem resize max), the last two mounted for the while; F2FS with resize.f2fs.
    /// FAT, exFAT and raw images are left at their size. A tool that fails throws, with its words.
    /// </remarks>
    public ValueTask<string?> GrowAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ThrowIfNotVariant(format);
        return FilesystemGrowth.GrowAsync(format, device, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A <c>dd</c> image is partclone.dd's output, the device's bytes themselves: it is served as it
    /// is. Any other is a partclone image (format 0002): its descriptor's and bitmap's checksums are
    /// checked here, its data checksums by every read that takes in all the blocks one covers.
    /// Kept in memory: a rank summary of the bitmap, 8 bytes per 8192 blocks (256 KiB per TiB of
    /// 4 KiB blocks); the bitmap and the blocks are read from <paramref name="image"/> on demand.
    /// </remarks>
    /// <exception cref="ArgumentException">The format is not a variant name.</exception>
    public IRandomAccessSource OpenDevice(string format, IRandomAccessSource image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfNotVariant(format);
        return format == FilesystemVariants.Raw ? image : PartcloneDeviceSource.Open(image);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// ext2/3/4 with the kernel's ext4 driver and <c>noload</c>, XFS with <c>norecovery</c>, Btrfs
    /// with <c>rescue=nologreplay</c>, F2FS with <c>norecovery</c>, FAT with the kernel's vfat,
    /// NTFS with ntfs-3g, exFAT with exfat-fuse. A raw (<c>dd</c>) image's filesystem is not
    /// recorded: blkid finds it on <paramref name="device"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The format is not a variant name, or a path is empty.</exception>
    public CommandLine Mount(string format, string device, string mountPoint)
    {
        ThrowIfNotVariant(format);
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        ArgumentException.ThrowIfNullOrWhiteSpace(mountPoint);
        var variant = format == FilesystemVariants.Raw ? ReadOnlyMounts.ProbeVariant(device) : format;
        return ReadOnlyMounts.Command(variant, device, mountPoint);
    }

    private static ImagingCommand Run(CommandLine command) => new(command, new PartcloneProgressParser());

    private string Program(string variant)
    {
        ThrowIfNotVariant(variant);
        return _locator.ProgramPath(variant);
    }

    // Variants come from image names a presenter sends: never let one reach a path unchecked.
    private static void ThrowIfNotVariant(string variant)
    {
        if (!FilesystemVariants.IsImagingVariant(variant))
        {
            throw new ArgumentException($"'{variant}' is not a partclone variant.", nameof(variant));
        }
    }
}
