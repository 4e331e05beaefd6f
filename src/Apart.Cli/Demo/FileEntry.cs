namespace Apart.Cli.Demo;

/// <summary>What the demo compares of one entry of a filesystem.</summary>
/// <param name="Kind"><c>file</c>, <c>directory</c> or <c>symlink</c>.</param>
/// <param name="Mode">The permission bits.</param>
/// <param name="Size">A file's size in bytes; 0 for others.</param>
/// <param name="Content">A file's SHA-256, a symlink's target; null for a directory.</param>
internal sealed record FileEntry(string Kind, UnixFileMode Mode, long Size, string? Content);
