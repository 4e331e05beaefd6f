namespace Apart.Abstractions;

/// <summary>
/// Where the host and every plugin find the programs they run: on <c>PATH</c>, then in the sbin
/// directories. One search for all, so that a codec is offered exactly when its program would
/// be found when a job runs it, and a missing program is named before anything starts.
/// </summary>
public static class ProgramLocator
{
    /// <summary>
    /// Searched after <c>PATH</c>. A root process started from a user's session often lacks the
    /// sbin directories where partclone, blkid and sfdisk live. Only those are added: a program
    /// left off <c>PATH</c> on purpose (a packager or a test hiding lz4) stays missing.
    /// </summary>
    public static IReadOnlyList<string> FallbackDirectories { get; } = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    /// <summary>
    /// The absolute path of an executable program: a path with a slash is taken as it is, a bare
    /// name is looked up on <c>PATH</c>, then in <see cref="FallbackDirectories"/>. Null when there is none.
    /// </summary>
    public static string? Find(string program)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutable(program) ? program : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(FallbackDirectories)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(IsExecutable);
    }

    /// <summary>
    /// Whether a path is a regular file someone may execute. Distributions install many programs
    /// as symlinks (partclone.ext4 → partclone.extfs): what counts is the file at the end.
    /// </summary>
    public static bool IsExecutable(string path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            FileSystemInfo file = new FileInfo(path);
            if (file.LinkTarget is not null)
            {
                file = file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
            }

            return file is FileInfo { Exists: true } && (file.UnixFileMode & anyExecute) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
