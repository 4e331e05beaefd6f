namespace Apart.Abstractions;

/// <summary>Reads an imaging program's standard error as it arrives.</summary>
public interface IProgressParser
{
    /// <summary>Feeds the next piece of standard error; returns the progress updates it completed.</summary>
    IReadOnlyList<ImagingProgress> Feed(ReadOnlySpan<char> text);

    /// <summary>The program's last few lines that are not progress, in plain words: what explains a failure.</summary>
    IReadOnlyList<string> LastLines { get; }
}

/// <summary>One progress update of an imaging program.</summary>
/// <param name="Complete">Fraction done, 0 to 1.</param>
/// <param name="Remaining">The program's estimate of the time left, if it gave one.</param>
/// <param name="Rate">The rate as the program prints it, e.g. <c>921.38MB/min</c>.</param>
public readonly record struct ImagingProgress(double Complete, TimeSpan? Remaining, string? Rate)
{
    /// <summary>
    /// The bytes of data the image holds (a filesystem's blocks in use), once the program says:
    /// the host weighs a disk's partitions by it.
    /// </summary>
    public long? DataBytes { get; init; }
}
