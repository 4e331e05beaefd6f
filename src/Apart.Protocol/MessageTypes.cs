namespace Apart.Protocol;

/// <summary>
/// The <c>type</c> of every message, in one place. A job's messages are named after its kind:
/// progress <c>clone</c>, failure <c>clone-failed</c>, cancel request <c>cancel-clone</c>.
/// </summary>
public static class MessageTypes
{
    /// <summary>The key every message carries its type under.</summary>
    public const string TypeKey = "type";

    public const string Status = "status";
    public const string StatusRequest = "status-request";
    public const string KillRequest = "kill-request";
    public const string DeleteClone = "delete-clone";
    public const string DeletedClone = "deleted-clone";
    public const string DeleteCloneFailed = "delete-clone-failed";
    public const string Error = "error";

    // Mounting images read-only (extension).
    public const string MountImage = "mount-image";
    public const string MountedImage = "mounted-image";
    public const string MountImageFailed = "mount-image-failed";
    public const string UnmountImage = "unmount-image";
    public const string UnmountedImage = "unmounted-image";
    public const string UnmountImageFailed = "unmount-image-failed";

    private const string FailedSuffix = "-failed";
    private const string CancelPrefix = "cancel-";

    /// <summary>Every job kind, in protocol order.</summary>
    public static IReadOnlyList<JobKind> JobKinds { get; } = Enum.GetValues<JobKind>();

    /// <summary>The progress message type of a job: <c>clone</c>, <c>restore</c>, <c>verify</c>; also its request's.</summary>
    public static string Job(JobKind kind) => kind switch
    {
        JobKind.Clone => "clone",
        JobKind.Restore => "restore",
        JobKind.Verify => "verify",
        JobKind.CloneDisk => "clone-disk",
        JobKind.RestoreDisk => "restore-disk",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary><c>clone-failed</c>, <c>restore-failed</c>, <c>verify-failed</c>.</summary>
    public static string Failed(JobKind kind) => Job(kind) + FailedSuffix;

    /// <summary><c>cancel-clone</c>, <c>cancel-restore</c>, <c>cancel-verify</c>.</summary>
    public static string Cancel(JobKind kind) => CancelPrefix + Job(kind);

    /// <summary>The words of <c>status: …</c>, one per <see cref="CoreStatus"/> in its order: <c>started</c>, <c>running</c>, <c>dying</c>.</summary>
    public static IReadOnlyList<string> Statuses { get; } = ["started", "running", "dying"];

    /// <summary><c>started</c>, <c>running</c> or <c>dying</c>.</summary>
    public static string Of(CoreStatus status) => Statuses[(int)status];
}
