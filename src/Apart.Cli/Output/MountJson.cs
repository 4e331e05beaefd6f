using Apart.Cli.Browsing;

namespace Apart.Cli.Output;

/// <summary>The result of <c>apart mount --json</c>: the mount, as the core reported it.</summary>
internal sealed record MountJson(string Id, string Image, string Path, string Fstype);

/// <summary>The result of <c>apart ls --json</c>: the entries of a directory in an image.</summary>
/// <param name="Image">The image.</param>
/// <param name="Path">The directory (or file) inside it.</param>
/// <param name="Entries">What is there, by name.</param>
internal sealed record ListingJson(string Image, string Path, IReadOnlyList<EntryJson> Entries);

/// <summary>One entry of <see cref="ListingJson"/>: its type in lower case, its mode in octal as chmod takes it.</summary>
internal sealed record EntryJson(string Name, string Type, string Mode, uint Uid, uint Gid, long Size, DateTimeOffset Modified, string? Target)
{
    public static EntryJson Of(ListedEntry entry) => new(
        entry.Name, entry.Type.ToString().ToLowerInvariant(), Convert.ToString(entry.Mode, 8).PadLeft(4, '0'), entry.Uid, entry.Gid, entry.Size, entry.Modified, entry.Target);
}
