using Microsoft.Extensions.Logging;

namespace Apart.Host;

/// <summary>Every log message of the host, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Codec {Codec} is unavailable: {Probe} failed ({Reason})")]
    public static partial void CodecProbeFailed(this ILogger logger, string codec, string probe, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No presenter connected; dropped a {Message} message")]
    public static partial void MessageDropped(this ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The presenter did not take a {Message} message within a second")]
    public static partial void SendTimedOut(this ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot keep the in-progress journal in {Directory}: {Reason}")]
    public static partial void JournalUnavailable(this ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Path}, left behind by a core that died while writing it")]
    public static partial void StaleImageRemoved(this ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Detached {Device}, left behind by a core that died while using it")]
    public static partial void StaleLoopDetached(this ILogger logger, string device);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A mounted image could not be read at byte {Offset} (reads there fail with EIO; further errors like it are not logged): {Reason}")]
    public static partial void ImageReadFailed(this ILogger logger, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The FUSE server of {Directory} stopped: {Reason}")]
    public static partial void FuseServerFailed(this ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The FUSE mount {Directory} keeps the kernel's readahead: {Reason}")]
    public static partial void ReadaheadUnchanged(this ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mounted {Source} ({FsType}) at {Path} as {Id}")]
    public static partial void ImageMounted(this ILogger logger, string source, string fsType, string path, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unmounted {Id} from {Path}")]
    public static partial void ImageUnmounted(this ILogger logger, string id, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was busy: detached lazily, it goes once nothing uses it")]
    public static partial void ImageDetachedLazily(this ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not undo {Step} of a mount: {Reason}")]
    public static partial void MountUndoFailed(this ILogger logger, string step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {What} {Path}, left behind by a core that died with an image mounted")]
    public static partial void StaleMountRemoved(this ILogger logger, string what, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Kind} job {Id} failed unexpectedly")]
    public static partial void JobCrashed(this ILogger logger, Exception exception, Apart.Protocol.JobKind kind, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Kind} job {Id} could not clean up")]
    public static partial void JobCleanupFailed(this ILogger logger, Exception exception, Apart.Protocol.JobKind kind, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mounted {Source} read-only at {Path} (mount {Id})")]
    public static partial void ImageMounted(this ILogger logger, string source, string path, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} is not given to uid {Uid} ({Reason}): it keeps the owner its filesystem gave it")]
    public static partial void ImageNotGiven(this ILogger logger, string path, uint uid, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot list devices")]
    public static partial void InventoryFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The core failed")]
    public static partial void CoreFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "No transport plugin handles {Address} (the plugins loaded: {Plugins})")]
    public static partial void NoTransport(this ILogger logger, string address, string plugins);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ending: {Ending}")]
    public static partial void Ending(this ILogger logger, string ending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The presenter at {Address} is gone (it was connected before: {WasConnected}); cancelling every job")]
    public static partial void PresenterGone(this ILogger logger, string address, bool wasConnected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugins from {Directory}: {Plugins}")]
    public static partial void PluginsLoaded(this ILogger logger, string directory, string plugins);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped the plugin folder {Folder}: {Reason}")]
    public static partial void PluginFailed(this ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot use {Address}: {Reason}")]
    public static partial void CannotUseAddress(this ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening at {Address}")]
    public static partial void Listening(this ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The group {Group} does not exist: only root may connect (create it with systemd-sysusers or groupadd)")]
    public static partial void GroupMissing(this ILogger logger, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a presenter: uid {Uid}, pid {Pid} is neither root nor in the group {Group}")]
    public static partial void PresenterRefused(this ILogger logger, uint uid, int pid, string group);

    [LoggerMessage(Level = LogLevel.Error, Message = "A request failed unexpectedly; answered with an error")]
    public static partial void RequestCrashed(this ILogger logger, Exception exception);
}
