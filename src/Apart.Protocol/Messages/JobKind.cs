namespace Apart.Protocol;

/// <summary>
/// The kinds of long-running job. Each has its own progress, failure and cancel message types,
/// named after it (<see cref="MessageTypes.Job"/>): <c>clone</c>, <c>clone-failed</c>, <c>cancel-clone</c>.
/// </summary>
public enum JobKind
{
    /// <summary>A partition imaged to a file (<c>clone</c>).</summary>
    Clone,

    /// <summary>An image written back to a partition (<c>restore</c>).</summary>
    Restore,

    /// <summary>An image read and checked (<c>verify</c>).</summary>
    Verify,

    /// <summary>A whole disk imaged to an image directory: its table, boot areas and partitions (<c>clone-disk</c>, extension).</summary>
    CloneDisk,

    /// <summary>An image directory written back to a whole disk (<c>restore-disk</c>, extension).</summary>
    RestoreDisk,
}
