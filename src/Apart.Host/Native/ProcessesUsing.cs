using System.Globalization;

namespace Apart.Host.Native;

/// <summary>
/// The processes that hold something under a directory: an open file, their working or root
/// directory, or a mapped file there — what keeps a filesystem from being unmounted.
/// </summary>
internal static class ProcessesUsing
{
    /// <summary>A process, by pid and name (<c>/proc/PID/comm</c>).</summary>
    public sealed record Holder(int Pid, string Name)
    {
        /// <inheritdoc/>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Pid} ({Name})");
    }

    /// <summary>Every process (but those gone while looking) holding something at or under <paramref name="directory"/>, by pid.</summary>
    public static IReadOnlyList<Holder> Under(string directory)
    {
        var holders = new List<Holder>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (Holds(process, directory))
                {
                    holders.Add(new Holder(pid, File.ReadAllText(Path.Join(process, "comm")).Trim()));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // It ended while we looked: it holds nothing any more.
            }
        }

        return [.. holders.OrderBy(holder => holder.Pid)];
    }

    private static bool Holds(string process, string directory)
    {
        if (Under(Link(Path.Join(process, "cwd")), directory) || Under(Link(Path.Join(process, "root")), directory))
        {
            return true;
        }

        foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Join(process, "fd")))
        {
            if (Under(Link(fd), directory))
            {
                return true;
            }
        }

        // ADDRESS PERMS OFFSET DEV INODE PATHNAME: a mapped file is held as surely as an open one.
        return File.ReadLines(Path.Join(process, "maps"))
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? line[slash..] : null)
            .Any(path => Under(path, directory));
    }

    private static string? Link(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool Under(string? path, string directory) =>
        path is not null && (path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal));
}
