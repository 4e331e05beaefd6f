using Apart.Abstractions.Protocol;

namespace Apart.Host.Protocol;

/// <summary>Every message type name of the protocol, in one place.</summary>
internal static class ProtocolNames
{
    public const string Status = "status";
    public const string StatusRequest = "status-request";
    public const string KillRequest = "kill-request";
    public const string DeleteClone = "delete-clone";
    public const string DeletedClone = "deleted-clone";
    public const string DeleteCloneFailed = "delete-clone-failed";
    public const string Error = "error";
    public const string Clone = "clone";
    public const string Restore = "restore";
    public const string Verify = "verify";
    public const string CancelClone = "cancel-" + Clone;
    public const string CancelRestore = "cancel-" + Restore;
    public const string CancelVerify = "cancel-" + Verify;

    /// <summary>The progress message type of a job: <c>clone</c>, <c>restore</c>, <c>verify</c>.</summary>
    public static string Job(JobKind kind) => kind switch
    {
        JobKind.Clone => Clone,
        JobKind.Restore => Restore,
        JobKind.Verify => Verify,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary><c>clone-failed</c>, <c>restore-failed</c>, <c>verify-failed</c>.</summary>
    public static string Failed(JobKind kind) => Job(kind) + "-failed";

    /// <summary><c>cancel-clone</c>, <c>cancel-restore</c>, <c>cancel-verify</c>.</summary>
    public static string Cancel(JobKind kind) => "cancel-" + Job(kind);

    /// <summary><c>started</c>, <c>running</c>, <c>dying</c>.</summary>
    public static string Of(CoreStatus status) => status switch
    {
        CoreStatus.Started => "started",
        CoreStatus.Running => "running",
        CoreStatus.Dying => "dying",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
