namespace Apart.Host.Mounting;

/// <summary>An image a mount request names, as found and checked: what to open, and how.</summary>
/// <param name="Source">The image as the request named it.</param>
/// <param name="Format">The imager's format (<c>ext4</c>, <c>ntfs</c>…).</param>
/// <param name="Codec">The codec's name (<c>gz</c>, <c>uncompressed</c>…).</param>
/// <param name="Pieces">Its files, in order: one for an Apart image, a partition image's pieces.</param>
/// <param name="FsType">The filesystem, as the answer reports it.</param>
internal sealed record MountableImage(string Source, string Format, string Codec, IReadOnlyList<string> Pieces, string FsType);
