namespace Apart.Protocol;

/// <summary>A message from the core to the presenter (docs/PROTOCOL.md §3–8).</summary>
public abstract record CoreEvent;

/// <summary><c>type: status</c>.</summary>
/// <param name="Status">started, running or dying.</param>
/// <param name="Sources">The devices that can be cloned or restored to; null in a dying message.</param>
/// <param name="CompressionOptions">Available codec names in protocol order; null in a dying message.</param>
/// <param name="Jobs">The latest progress of every running job (extension); null unless running.</param>
/// <param name="Mounts">The images mounted now (extension); null unless running.</param>
public sealed record StatusEvent(
    CoreStatus Status,
    IReadOnlyList<ListedSource>? Sources = null,
    IReadOnlyList<string>? CompressionOptions = null,
    IReadOnlyList<JobProgress>? Jobs = null,
    IReadOnlyList<ListedMount>? Mounts = null) : CoreEvent
{
    /// <inheritdoc/>
    public bool Equals(StatusEvent? other) =>
        other is not null
        && Status == other.Status
        && Same(Sources, other.Sources)
        && Same(CompressionOptions, other.CompressionOptions)
        && Same(Jobs, other.Jobs)
        && Same(Mounts, other.Mounts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Status, Sources?.Count, CompressionOptions?.Count, Jobs?.Count, Mounts?.Count);

    internal static bool Same<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);
}

/// <summary>
/// Progress of a job (<c>type: clone</c>, <c>restore</c>, <c>verify</c>, <c>clone-disk</c> or
/// <c>restore-disk</c>), and its success when <see cref="Complete"/> is 1 and <see cref="Finish"/> is set.
/// </summary>
/// <param name="Kind">Which job.</param>
/// <param name="Id">Unique per job.</param>
/// <param name="Source">Clone: the device. Restore, verify: the image. Clone-disk: the disk. Restore-disk: the image directory.</param>
/// <param name="Destination">Clone: the final image name. Restore: the device. Verify: null. Clone-disk: the final image directory. Restore-disk: the disk.</param>
/// <param name="Start">When the job started.</param>
public sealed record JobProgress(JobKind Kind, string Id, string Source, string? Destination, DateTimeOffset Start) : CoreEvent
{
    /// <summary>Fraction done; at most 0.9999 while running, 1.0 when finished.</summary>
    public double Complete { get; init; }

    /// <summary>True while the core flushes written data to stable storage.</summary>
    public bool Syncing { get; init; }

    /// <summary>Clone only: the source filesystem's UUID, if known.</summary>
    public string? SourceUuid { get; init; }

    /// <summary>The rate as the imaging program prints it, once known.</summary>
    public string? Rate { get; init; }

    /// <summary>When the job should end, once the imaging program estimates it.</summary>
    public DateTimeOffset? EstimatedFinish { get; init; }

    /// <summary>Set on the success message only.</summary>
    public DateTimeOffset? Finish { get; init; }

    /// <summary>Clone success only: bytes of the image file (clone-disk: of every file of the image directory).</summary>
    public long? ImageSize { get; init; }

    /// <summary>Disk jobs (extension): the partition being imaged or restored now, e.g. <c>sdb2</c>.</summary>
    public string? Part { get; init; }

    /// <summary>
    /// Success only (extension): what a person should know about how the job ended, such as a
    /// filesystem that could not grow and was left at its size.
    /// </summary>
    public string? Note { get; init; }
}

/// <summary><c>clone-failed</c>, <c>restore-failed</c>, <c>verify-failed</c>, <c>clone-disk-failed</c> or <c>restore-disk-failed</c>.</summary>
/// <param name="Error">A sentence a person can act on; <see cref="Cancelled"/> after a cancel.</param>
public sealed record JobFailed(
    JobKind Kind,
    string Id,
    string Source,
    string? Destination,
    DateTimeOffset Start,
    DateTimeOffset Finish,
    string Error) : CoreEvent
{
    /// <summary>The error text of a job stopped by a cancel request.</summary>
    public const string Cancelled = "Cancelled";
}

/// <summary><c>deleted-clone</c>: an image file, or an image directory, was removed.</summary>
public sealed record CloneDeleted(string File) : CoreEvent;

/// <summary><c>delete-clone-failed</c>.</summary>
public sealed record CloneDeleteFailed(string File, string Error) : CoreEvent;

/// <summary><c>type: error</c> (extension): a request the core could not read or act on.</summary>
/// <param name="Error">What was wrong.</param>
/// <param name="Request">The request's type, when it had one.</param>
public sealed record RequestError(string Error, string? Request = null) : CoreEvent;
