using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart restore IMAGE DEVICE [--grow] [--yes] [--json]</c>.</summary>
internal sealed class RestoreSettings : JsonOutputSettings
{
    /// <summary>The image file to restore.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("An image made by 'apart clone', or the first piece of a Clonezilla partition image (sda1.ext4-ptcl-img.gz.aa)")]
    public string Image { get; init; } = "";

    /// <summary>The device overwritten with it.</summary>
    [CommandArgument(1, "<DEVICE>")]
    [Description("The partition or device to overwrite: /dev/sdb1, or its name (sdb1). Everything on it is lost")]
    public string Device { get; init; } = "";

    /// <summary>Grow the filesystem to fill a larger device.</summary>
    [CommandOption("--grow")]
    [Description("Grow the filesystem to fill DEVICE when it is larger than the image's (ext2/3/4, xfs, btrfs, ntfs, f2fs)")]
    public bool Grow { get; init; }

    /// <summary>Overwrite without asking.</summary>
    [CommandOption("-y|--yes")]
    [Description("Overwrite DEVICE without asking first")]
    public bool Yes { get; init; }
}
