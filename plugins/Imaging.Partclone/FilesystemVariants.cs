using System.Buffers;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Which partclone tools image a filesystem, by the type name blkid gives it, and which names can
/// be variants at all. The variant ends up in image names, so a name chosen here must stay the
/// same across releases: restores years later look the tool up by it.
/// </summary>
internal static class FilesystemVariants
{
    /// <summary>The variant whose images are raw device bytes.</summary>
    public const string Raw = "dd";

    private const int MaxVariantLength = 32;

    private static readonly SearchValues<char> _variantChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    // Plain collections, not frozen ones: these tables are read a few times per job, and building
    // frozen ones (generic code JIT-compiled at first use) cost the core ≈ 0.5 MiB of memory.
    /// <summary>
    /// Candidate tools per blkid type, best first. The first name is what the original core used
    /// (it took the fstype itself as the variant), so its images keep restoring; the others are
    /// the same partclone program under another name, for builds that lack the first link.
    /// An empty list means partclone has no tool for the type: it is imaged raw.
    /// </summary>
    private static readonly Dictionary<string, string[]> _candidates =
        new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["ext2"] = ["ext2", "extfs"],
            ["ext3"] = ["ext3", "extfs"],
            ["ext4"] = ["ext4", "extfs"],
            ["ext4dev"] = ["ext4dev", "ext4", "extfs"],

            // blkid says vfat for FAT12/16/32 alike; partclone.fat handles all of them.
            ["vfat"] = ["vfat", "fat"],
            ["fat"] = ["vfat", "fat"],
            ["fat12"] = ["vfat", "fat"],
            ["fat16"] = ["vfat", "fat"],
            ["fat32"] = ["vfat", "fat"],
            ["msdos"] = ["vfat", "fat"],

            ["exfat"] = ["exfat"],
            ["ntfs"] = ["ntfs"],
            ["xfs"] = ["xfs"],
            ["btrfs"] = ["btrfs"],
            ["f2fs"] = ["f2fs"],

            // partclone.hfsp reads the volume header as HFS+'s without checking its signature, so a
            // classic HFS volume would be misread: it goes raw.
            ["hfsplus"] = ["hfsplus", "hfsp"],
            ["hfs+"] = ["hfsplus", "hfsp"],
            ["hfsx"] = ["hfsplus", "hfsp"],
            ["hfs"] = [],

            ["apfs"] = ["apfs"],
            ["minix"] = ["minix"],
            ["nilfs2"] = ["nilfs2"],
            ["reiser4"] = ["reiser4"],
            ["reiserfs"] = ["reiserfs"],
            ["jfs"] = ["jfs"],
            ["ufs"] = ["ufs"],
            ["vmfs"] = ["vmfs", "vmfs3"],
            ["vmfs3"] = ["vmfs3", "vmfs"],
            ["vmfs5"] = ["vmfs5"],
            ["vmfs_volume_member"] = ["vmfs"],

            // Not filesystems partclone reads: never try a same-named tool.
            ["swap"] = [],
            ["jbd"] = [],
        };

    /// <summary>partclone programs that share the PREFIX but do not image a filesystem.</summary>
    private static readonly HashSet<string> _notImagers = new(StringComparer.Ordinal)
    {
        "chkimg", "info", "imager", "restore", "ntfsfixboot", "ntfsreloc", "fstype", "imgfuse", "block",
    };

    /// <summary>The tools to try for <paramref name="fsType"/>, best first; empty when it goes raw.</summary>
    public static IReadOnlyList<string> Candidates(string fsType)
    {
        var key = fsType.Trim().ToLowerInvariant();
        if (_candidates.TryGetValue(key, out var known))
        {
            return known;
        }

        // A type this table does not know may still have a tool (a newer partclone, a stand-in):
        // the original core tried PREFIX.FSTYPE for any type, and so do we when the name is safe.
        return IsImagingVariant(key) ? [key] : [];
    }

    /// <summary>
    /// Whether <paramref name="variant"/> can name an imaging tool: lowercase ASCII letters and
    /// digits only (it becomes part of a path and of an image name), and not one of the tools
    /// that share the prefix without imaging anything.
    /// </summary>
    public static bool IsImagingVariant(string? variant) =>
        variant is { Length: > 0 and <= MaxVariantLength }
        && variant.AsSpan().IndexOfAnyExcept(_variantChars) < 0
        && !_notImagers.Contains(variant);
}
