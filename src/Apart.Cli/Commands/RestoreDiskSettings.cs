using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart restore-disk IMAGE_DIR DEVICE [--grow] [--yes] [--json]</c>.</summary>
internal sealed class RestoreDiskSettings : JsonOutputSettings
{
    /// <summary>The image directory to restore.</summary>
    [CommandArgument(0, "<IMAGE_DIR>")]
    [Description("A disk image directory made by 'apart clone-disk', Clonezilla (savedisk) or Rescuezilla")]
    public string Image { get; init; } = "";

    /// <summary>The disk overwritten with it.</summary>
    [CommandArgument(1, "<DEVICE>")]
    [Description("The whole disk to overwrite: /dev/sdc, or its name (sdc). Everything on it is lost")]
    public string Device { get; init; } = "";

    /// <summary>Extend the last partition and its filesystem to the end of a larger disk.</summary>
    [CommandOption("--grow")]
    [Description("On a larger disk, extend the last partition to the disk's end and grow its filesystem (ext2/3/4, xfs, btrfs, ntfs, f2fs)")]
    public bool Grow { get; init; }

    /// <summary>Overwrite without asking.</summary>
    [CommandOption("-y|--yes")]
    [Description("Overwrite DEVICE without asking first")]
    public bool Yes { get; init; }
}
