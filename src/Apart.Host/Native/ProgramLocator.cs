using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>
/// Finds programs the way a shell would, plus the sbin directories, so a missing one is reported
/// by name before anything starts. The codec probes and the spawning of jobs both use it, so a
/// codec is offered exactly when its program would be found.
/// </summary>
internal static unsafe class ProgramLocator
{
    // A root process started from a user's session often lacks the sbin directories where
    // partclone and blkid live. Only those are added: a program left off PATH on purpose (a
    // packager or a test hiding lz4) stays missing.
    private static readonly string[] FallbackDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    /// <summary>The absolute path of an executable program, or null when there is none.</summary>
    public static string? Find(string program)
    {
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

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        fixed (byte* p = NativeFile.CString(path))
        {
            return access(p, X_OK) == 0;
        }
    }
}
