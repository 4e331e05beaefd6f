using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Images filesystems with partclone, calling it exactly as the original core did (PROTOCOL.md §1),
/// because presenters' test harnesses replace partclone with stand-ins that parse only those
/// options: clone <c>PREFIX.V -c -s SOURCE</c>, restore <c>PREFIX.V -r -o DEST</c>, raw images
/// through <c>PREFIX.dd</c> without <c>-c</c>/<c>-r</c>, checks with <c>PREFIX.chkimg -s -</c>.
/// </summary>
public sealed class PartcloneImager : IImager
{
    private const string CheckVariant = "chkimg";

    private readonly PartcloneLocator _locator;

    /// <summary>Creates an imager running the tools <paramref name="locator"/> finds.</summary>
    public PartcloneImager(PartcloneLocator locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        _locator = locator;
    }

    /// <inheritdoc/>
    /// <value>Always <c>dd</c>.</value>
    public string RawVariant => FilesystemVariants.Raw;

    /// <inheritdoc/>
    public int HeaderLength => PartcloneImageHeader.Length;

    /// <inheritdoc/>
    /// <remarks>
    /// Takes blkid's type names case-insensitively. A type this imager knows maps to its tool
    /// (all FAT types to <c>vfat</c>, <c>hfsplus</c> to <c>hfsplus</c>…); any other type is tried as
    /// a tool name of its own, as the original core did.
    /// </remarks>
    public string ChooseVariant(string? fsType)
    {
        if (string.IsNullOrWhiteSpace(fsType))
        {
            return RawVariant;
        }

        foreach (var variant in FilesystemVariants.Candidates(fsType))
        {
            if (HasVariant(variant))
            {
                return variant;
            }
        }

        return RawVariant;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// False for names that cannot be a variant (anything but lowercase letters and digits, so an
    /// image name can never point outside partclone's tools) and for partclone's tools that do
    /// not image a filesystem (<c>chkimg</c>, <c>info</c>, <c>restore</c>…).
    /// </remarks>
    public bool HasVariant(string variant) =>
        FilesystemVariants.IsImagingVariant(variant) && _locator.IsInstalled(variant);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The variant is not a variant name, or the device is empty.</exception>
    public CommandLine CloneCommand(string variant, string sourceDevice)
    {
        var program = Program(variant);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceDevice);
        return variant == RawVariant
            ? new CommandLine(program, ["-s", sourceDevice])
            : new CommandLine(program, ["-c", "-s", sourceDevice]);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The variant is not a variant name, or the device is empty.</exception>
    public CommandLine RestoreCommand(string variant, string destinationDevice)
    {
        var program = Program(variant);
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationDevice);
        return variant == RawVariant
            ? new CommandLine(program, ["-o", destinationDevice])
            : new CommandLine(program, ["-r", "-o", destinationDevice]);
    }

    /// <inheritdoc/>
    /// <remarks>partclone.chkimg learns the filesystem from the image header, so one tool checks every variant.</remarks>
    /// <exception cref="ArgumentException">The variant is not a variant name.</exception>
    public CommandLine? CheckCommand(string variant)
    {
        ThrowIfNotVariant(variant);
        return variant == RawVariant
            ? null
            : new CommandLine(_locator.ProgramPath(CheckVariant), ["-s", "-"]);
    }

    /// <inheritdoc/>
    public void CompleteRestore(string variant, Stream device, long deviceSize)
    {
        if (variant == "ntfs")
        {
            NtfsBackupBootSector.Write(device, deviceSize);
        }
    }

    /// <inheritdoc/>
    public long? ReadFilesystemSize(ReadOnlySpan<byte> head) => PartcloneImageHeader.TryRead(head)?.DeviceSize;

    /// <inheritdoc/>
    public IProgressParser CreateProgressParser() => new PartcloneProgressParser();

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
