using System.Globalization;

namespace Apart.Cli.Session;

/// <summary>
/// The images <c>apart mount</c> holds mounted through a core of its own, one small file per
/// running <c>apart mount</c> (its pid and start time, the mount's id, path and image), so that
/// <c>apart unmount PATH</c> in another terminal can find the process and ask it to unmount (a
/// SIGTERM, which it takes as Ctrl-C). Only this user's: the folder is theirs alone.
/// </summary>
/// <param name="directory">Where the records are.</param>
internal sealed class MountRecords(string directory)
{
    /// <summary>This user's records: under /run for root, else the user's runtime directory.</summary>
    public static MountRecords ForThisUser { get; } = new(Environment.IsPrivilegedProcess
        ? "/run/apart-cli/held"
        : Path.Join(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? runtime : Path.GetTempPath(), $"apart-cli-{Environment.UserName}", "held"));

    /// <summary>A running <c>apart mount</c>'s mount.</summary>
    /// <param name="Pid">The process holding it.</param>
    /// <param name="Id">The mount's id.</param>
    /// <param name="Path">Where its files are.</param>
    /// <param name="Source">The image.</param>
    /// <param name="Started">When the holding process started (a recycled pid has another start time).</param>
    public sealed record Entry(int Pid, string Id, string Path, string Source, string Started)
    {
        /// <summary>Whether the process that holds the mount still runs (a zombie, ended but not yet reaped by its parent, does not).</summary>
        public bool HolderRuns => StartTime(Pid) == Started && !IsZombie(Pid);
    }

    /// <summary>Records this process's mount; disposing the result removes the record.</summary>
    public IDisposable Record(string id, string path, string source)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Join(directory, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.WriteAllLines(file, [StartTime(Environment.ProcessId) ?? "", id, path, source]);
        return new Removal(file);
    }

    /// <summary>The mount of a running <c>apart mount</c> with this id or path; null when none has it.</summary>
    public Entry? Find(string idOrPath)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var path = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(idOrPath));
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(file), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Read(file) is not [var started, var id, var mounted, var source]
                || StartTime(pid) != started)
            {
                continue; // not a record, or its process is gone (a recycled pid has another start time)
            }

            if (id == idOrPath || mounted == path)
            {
                return new Entry(pid, id, mounted, source, started);
            }
        }

        return null;
    }

    private static string[]? Read(string file)
    {
        try
        {
            return File.ReadAllLines(file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot.
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    // Field 3 of /proc/PID/stat: its state, Z once it has exited.
    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return true;
        }
    }

    private sealed class Removal(string file) : IDisposable
    {
        public void Dispose() => File.Delete(file);
    }
}
