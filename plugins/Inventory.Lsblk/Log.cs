using Microsoft.Extensions.Logging;

namespace Apart.Inventory.Lsblk;

/// <summary>Everything this plugin logs.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information,
        "{Program} does not know the PATH or MOUNTPOINTS column (util-linux before 2.37); asking it for {Columns} from now on")]
    public static partial void LegacyLsblk(ILogger logger, string program, string columns);

    [LoggerMessage(2, LogLevel.Debug, "Probing {Count} devices lsblk reports no filesystem for with {Program}: {Devices}")]
    public static partial void Probing(ILogger logger, string program, int count, string devices);

    [LoggerMessage(3, LogLevel.Warning,
        "{Program} did not finish within {Timeout}; filesystems lsblk does not report stay unknown this time")]
    public static partial void ProbeTimedOut(ILogger logger, string program, TimeSpan timeout);

    [LoggerMessage(4, LogLevel.Warning, "Could not run {Program}; filesystems lsblk does not report stay unknown")]
    public static partial void ProbeNotRun(ILogger logger, string program, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "{Program} exited with code {ExitCode}: {Error}")]
    public static partial void ProbeFailed(ILogger logger, string program, int exitCode, string error);

    [LoggerMessage(6, LogLevel.Warning, "Could not read the partition table of {Device}: {Reason}")]
    public static partial void TableNotRead(ILogger logger, string device, string reason);
}
