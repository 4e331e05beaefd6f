namespace Apart.Host.Jobs;

/// <summary>Extended attributes the core records on image files.</summary>
internal static class ImageAttributes
{
    /// <summary>
    /// The size in bytes of the device the image was made from. Raw (dd) images have no header,
    /// so this is how a restore checks the target is large enough and a verify checks the image
    /// decompresses to its full length. Filesystems without user xattrs (FAT) go without.
    /// </summary>
    public const string SourceSize = "user.apart.source_size";
}
