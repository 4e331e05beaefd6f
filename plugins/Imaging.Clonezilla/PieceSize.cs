using System.Globalization;

namespace Apart.Imaging.Clonezilla;

/// <summary>
/// How large the pieces of a partition image are, in Clonezilla's unit (-i N: N × 10⁶ bytes,
/// as split's <c>MB</c>). Every image is split, even into one piece: Rescuezilla finds only
/// pieces (<c>….aa</c>).
/// </summary>
internal static class PieceSize
{
    /// <summary>The environment variable that sets it.</summary>
    public const string Variable = "APART_IMAGE_PIECE_MB";

    /// <summary>4096 MB: under FAT32's 4 GiB file limit, as Clonezilla chooses for FAT repositories.</summary>
    public const int DefaultMegabytes = 4096;

    /// <summary>The size in megabytes the environment gives, else the default.</summary>
    public static int FromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes) && megabytes > 0
            ? megabytes
            : DefaultMegabytes;
}
