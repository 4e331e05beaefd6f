using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>Every log line of the ZeroMQ transport.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Presenter connected at {Address} (pid {Pid}, uid {Uid})")]
    public static partial void PresenterConnected(ILogger logger, string address, int pid, uint uid);

    [LoggerMessage(2, LogLevel.Information, "Presenter at {Address} disconnected")]
    public static partial void PresenterDisconnected(ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Information, "No presenter at {Address} yet ({Reason}); retrying")]
    public static partial void PresenterUnreachable(ILogger logger, string address, string reason);

    [LoggerMessage(10, LogLevel.Information, "Presenter admitted (pid {Pid}, uid {Uid})")]
    public static partial void PresenterAdmitted(ILogger logger, int pid, uint uid);

    [LoggerMessage(11, LogLevel.Warning, "Connection refused: peer not admitted (pid {Pid}, uid {Uid})")]
    public static partial void PresenterRefused(ILogger logger, int pid, uint uid);

    [LoggerMessage(12, LogLevel.Warning, "Connection refused: another presenter is connected (pid {Pid}, uid {Uid})")]
    public static partial void PresenterRefusedBusy(ILogger logger, int pid, uint uid);

    [LoggerMessage(21, LogLevel.Debug, "Connection refused again (pid {Pid})")]
    public static partial void PresenterRefusedAgain(ILogger logger, int pid);

    [LoggerMessage(13, LogLevel.Error, "Connection refused: the admission check failed (pid {Pid}, uid {Uid})")]
    public static partial void AdmitCheckFailed(ILogger logger, int pid, uint uid, Exception exception);

    [LoggerMessage(14, LogLevel.Warning, "Connection refused: peer credentials unreadable ({Reason})")]
    public static partial void PeerCredentialsUnreadable(ILogger logger, string reason);

    [LoggerMessage(15, LogLevel.Information, "Presenter left")]
    public static partial void PresenterLeft(ILogger logger);

    [LoggerMessage(22, LogLevel.Warning, "Connection refused: {Count} open connections could be the one asking (pid {Pid}); it may try again")]
    public static partial void ConnectionNotIdentified(ILogger logger, int count, int pid);

    [LoggerMessage(18, LogLevel.Information, "Removed stale socket file {Path}")]
    public static partial void StaleSocketRemoved(ILogger logger, string path);

    [LoggerMessage(19, LogLevel.Warning, "Could not remove socket file {Path}: {Reason}")]
    public static partial void SocketFileNotRemoved(ILogger logger, string path, string reason);

    [LoggerMessage(20, LogLevel.Warning, "Binding {Address}: tcp has no peer credentials, anyone who can reach it can connect")]
    public static partial void TcpBindUnauthenticated(ILogger logger, string address);

    [LoggerMessage(23, LogLevel.Warning, "Could not keep the listening socket ({Reason}); after each presenter the address is bound anew")]
    public static partial void ListeningSocketNotKept(ILogger logger, string reason);

    [LoggerMessage(40, LogLevel.Warning, "Dropped {Count} extra frame(s) of a multi-frame message; kept the first")]
    public static partial void ExtraFramesDropped(ILogger logger, int count);

    [LoggerMessage(41, LogLevel.Error, "Unexpected error on the ZeroMQ poller thread")]
    public static partial void PollerError(ILogger logger, Exception exception);

    [LoggerMessage(42, LogLevel.Warning, "The ZeroMQ poller thread did not stop in time; leaving it behind")]
    public static partial void TeardownTimedOut(ILogger logger);
}
