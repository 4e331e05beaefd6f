using System.Globalization;

namespace Apart.Host.Jobs;

/// <summary>
/// A process named by pid and start time (from /proc/PID/stat), which together never repeat:
/// a pid alone may be reused by an unrelated process after the first one died.
/// </summary>
internal static class ProcessIdentity
{
    /// <summary>This process, as "PID STARTTIME".</summary>
    public static string Current { get; } = Of(Environment.ProcessId) ?? Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the process an identity names is still running.</summary>
    public static bool IsAlive(string identity)
    {
        var pid = identity.Split(' ')[0];
        return int.TryParse(pid, CultureInfo.InvariantCulture, out var id) && Of(id) == identity;
    }

    private static string? Of(int pid)
    {
        try
        {
            // Field 22 (starttime) counts from after the command name, which may hold spaces and ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return $"{pid} {fields[19]}";
        }
        catch (IOException)
        {
            return null;
        }
    }
}
