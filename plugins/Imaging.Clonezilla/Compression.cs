namespace Apart.Imaging.Clonezilla;

/// <summary>
/// Clonezilla's compression suffixes against Apart's codec extensions. They are the same word but
/// for images stored as they are, <c>uncomp</c> to Clonezilla.
/// </summary>
internal static class Compression
{
    private const string Uncompressed = "uncompressed";
    private const string ClonezillaUncompressed = "uncomp";

    /// <summary>The suffix an image compressed with the codec of <paramref name="codecExtension"/> is named with.</summary>
    public static string SuffixFor(string codecExtension) => codecExtension == Uncompressed ? ClonezillaUncompressed : codecExtension;

    /// <summary>The codec extension of a suffix in a file name.</summary>
    public static string CodecExtensionOf(string suffix) => suffix == ClonezillaUncompressed ? Uncompressed : suffix;
}
