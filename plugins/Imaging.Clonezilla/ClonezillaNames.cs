using System.Text.RegularExpressions;

namespace Apart.Imaging.Clonezilla;

/// <summary>
/// The names of the files in a Clonezilla image directory, as Clonezilla 5's ocs-functions writes
/// them: one place for every name this format uses.
/// </summary>
internal static partial class ClonezillaNames
{
    /// <summary>The source disk's name: makes a directory a disk image.</summary>
    public const string Disk = "disk";

    /// <summary>The imaged (data) partitions, space-separated: makes a directory an image at all.</summary>
    public const string Parts = "parts";

    /// <summary>What each saved device held: a header, then <c>/dev/X fs size</c> lines.</summary>
    public const string DeviceFilesystems = "dev-fs.list";

    /// <summary><c>lsblk</c>'s view of the disk when it was saved.</summary>
    public const string BlockDevices = "blkdev.list";

    /// <summary><c>blkid</c>'s view of the disk when it was saved.</summary>
    public const string BlkidList = "blkid.list";

    /// <summary>Checksums of every file, as <c>b2sum</c> prints them (Clonezilla's -gb).</summary>
    public const string Checksums = "B2SUMS";

    /// <summary>Older checksum files Clonezilla may have written (-gm, -gs), with the program that checks each.</summary>
    public static IReadOnlyList<(string File, string Program)> ChecksumFiles { get; } =
        [(Checksums, "b2sum"), ("SHA1SUMS", "sha1sum"), ("MD5SUMS", "md5sum")];

    /// <summary>Written when the disk holds LVM physical volumes: their volume groups, whose logical volumes are imaged instead.</summary>
    public const string LvmVolumeGroups = "lvm_vg_dev.list";

    /// <summary>Apart's own note on an image it made: when, from what, and every file's size.</summary>
    public const string ApartManifest = "apart-img";

    public static string PartitionTable(string disk) => disk + "-pt.sf";

    public static string PartedTable(string disk) => disk + "-pt.parted";

    public static string PartedCompact(string disk) => disk + "-pt.parted.compact";

    public static string Geometry(string disk) => disk + "-chs.sf";

    public static string BootSector(string disk) => disk + "-mbr";

    public static string HiddenDataAfterMbr(string disk) => disk + "-hidden-data-after-mbr";

    public static string GptFirst(string disk) => disk + "-gpt-1st";

    public static string GptSecond(string disk) => disk + "-gpt-2nd";

    public static string GptBackup(string disk) => disk + "-gpt.gdisk";

    public static string GptPrint(string disk) => disk + "-gpt.sgdisk";

    public static string ExtendedBootRecord(string partition) => partition + "-ebr";

    public static string SwapInfo(string partition) => $"swappt-{partition}.info";

    /// <summary>The start of a partition image's file names, before the piece suffix: <c>sda1.ext4-ptcl-img.gz.</c>.</summary>
    public static string ImagePrefix(string partition, string filesystem, string suffix) => $"{partition}.{filesystem}-ptcl-img.{suffix}.";

    /// <summary>A device's name in file names: <c>/</c> becomes <c>-</c> (cciss/c0d0p1 → cciss-c0d0p1), as Clonezilla's to_filename.</summary>
    public static string InFileName(string device) => device.Replace('/', '-');

    /// <summary>Reads a partition image file name: its partition, filesystem, compression suffix and piece (null when unsplit).</summary>
    public static (string Partition, string Filesystem, string Suffix, string? Piece)? ReadImageName(string fileName)
    {
        var match = ImageName().Match(fileName);
        return match.Success
            ? (match.Groups["part"].Value, match.Groups["fs"].Value, match.Groups["suffix"].Value, match.Groups["piece"].Success ? match.Groups["piece"].Value : null)
            : null;
    }

    [GeneratedRegex(@"^(?<part>[^/]+?)\.(?<fs>[A-Za-z0-9+]+)-ptcl-img\.(?<suffix>[A-Za-z0-9]+)(?:\.(?<piece>[a-z]{2,}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ImageName();
}
