namespace Apart.Abstractions.Protocol;

/// <summary>The kinds of long-running job; each has its own progress, failure and cancel message types.</summary>
public enum JobKind
{
    /// <summary>A partition imaged to a file (<c>clone</c>).</summary>
    Clone,

    /// <summary>An image written back to a partition (<c>restore</c>).</summary>
    Restore,

    /// <summary>An image read and checked (<c>verify</c>).</summary>
    Verify,
}
