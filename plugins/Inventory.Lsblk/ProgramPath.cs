namespace Apart.Inventory.Lsblk;

/// <summary>Finds a program on PATH or, failing that, where util-linux installs it.</summary>
internal static class ProgramPath
{
    // blkid lives in sbin, which a presenter-spawned core (pkexec, sudo -E…) may not have on PATH.
    private static readonly string[] UsualDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The program's full path; <paramref name="name"/> itself when it has a slash or is found nowhere.</summary>
    public static string Find(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return name;
        }

        var searchPath = Environment.GetEnvironmentVariable("PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return searchPath.Concat(UsualDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists) ?? name;
    }
}
