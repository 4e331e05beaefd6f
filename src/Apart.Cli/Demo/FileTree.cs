using System.Security.Cryptography;

namespace Apart.Cli.Demo;

/// <summary>Every entry below a mount point, by relative path, and how two such trees differ.</summary>
internal sealed class FileTree
{
    private FileTree(IReadOnlyDictionary<string, FileEntry> entries) => Entries = entries;

    /// <summary>The entries by path relative to the root; ext4's <c>lost+found</c> left out.</summary>
    public IReadOnlyDictionary<string, FileEntry> Entries { get; }

    /// <summary>How many regular files the tree holds.</summary>
    public int FileCount => Entries.Values.Count(entry => entry.Kind == "file");

    /// <summary>How many bytes its regular files hold.</summary>
    public long FileBytes => Entries.Values.Where(entry => entry.Kind == "file").Sum(entry => entry.Size);

    /// <summary>Reads a tree, hashing every file; symlinks are recorded, not followed.</summary>
    public static FileTree Read(string root)
    {
        var entries = new SortedDictionary<string, FileEntry>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", options))
        {
            var path = Path.GetRelativePath(root, info.FullName);
            if (path == "lost+found" || path.StartsWith("lost+found/", StringComparison.Ordinal))
            {
                continue;
            }

            entries[path] = info switch
            {
                // A symlink has no mode of its own (Linux ignores it); .NET would report its target's.
                _ when info.LinkTarget is { } target => new FileEntry("symlink", 0, 0, target),
                DirectoryInfo directory => new FileEntry("directory", directory.UnixFileMode, 0, null),
                FileInfo file => new FileEntry("file", file.UnixFileMode, file.Length, Hash(file)),
                _ => throw new DemoException($"Cannot read {info.FullName}."),
            };
        }

        return new FileTree(entries);
    }

    /// <summary>Builds a tree from known entries (tests).</summary>
    public static FileTree Of(IReadOnlyDictionary<string, FileEntry> entries) => new(entries);

    /// <summary>One line per difference from <paramref name="other"/>: missing, extra or changed entries.</summary>
    public IReadOnlyList<string> Differences(FileTree other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<string>();
        foreach (var (path, entry) in Entries)
        {
            if (!other.Entries.TryGetValue(path, out var copy))
            {
                differences.Add($"{path}: missing from the copy");
            }
            else if (copy != entry)
            {
                differences.Add($"{path}: {Describe(entry)} became {Describe(copy)}");
            }
        }

        differences.AddRange(other.Entries.Keys.Where(path => !Entries.ContainsKey(path)).Select(path => $"{path}: only in the copy"));
        return differences;
    }

    private static string Describe(FileEntry entry) =>
        $"{entry.Kind} {Convert.ToString((int)entry.Mode, 8)} {entry.Size} bytes {entry.Content?[..Math.Min(12, entry.Content.Length)]}";

    private static string Hash(FileInfo file)
    {
        using var stream = file.OpenRead();
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
