namespace Apart.Abstractions;

/// <summary>
/// Turns a filesystem into an image stream and back (partclone). The host runs the commands it
/// gives with the image stream on standard output (clone) or standard input (restore, check) and
/// the progress on standard error.
/// </summary>
public interface IImager
{
    /// <summary>The variant whose images are raw device bytes (partclone's <c>dd</c>).</summary>
    string RawVariant { get; }

    /// <summary>
    /// The variant that images a filesystem of this type, as image names carry it (<c>ext4</c>,
    /// <c>vfat</c>, …); <see cref="RawVariant"/> when the type is unknown or has no tool here.
    /// </summary>
    string ChooseVariant(string? fsType);

    /// <summary>Whether this machine has the tool for a variant read from an image name.</summary>
    bool HasVariant(string variant);

    /// <summary>Writes an image of <paramref name="sourceDevice"/> to standard output.</summary>
    CommandLine CloneCommand(string variant, string sourceDevice);

    /// <summary>Writes the image read from standard input to <paramref name="destinationDevice"/>.</summary>
    CommandLine RestoreCommand(string variant, string destinationDevice);

    /// <summary>
    /// Checks the image read from standard input and exits non-zero when it is damaged; null for
    /// the raw variant, whose images have no structure to check.
    /// </summary>
    CommandLine? CheckCommand(string variant);

    /// <summary>
    /// Completes a device the restore command wrote, where that command leaves something out,
    /// before the host flushes it. (partclone never images NTFS's backup boot sector, in the
    /// sector after the volume; without it ntfsfix and Windows' chkdsk call the volume damaged.)
    /// </summary>
    /// <param name="variant">The image's variant.</param>
    /// <param name="device">The restored device, open for reading and writing; not to be disposed.</param>
    /// <param name="deviceSize">The device's size in bytes (a block device's stream does not know it).</param>
    void CompleteRestore(string variant, Stream device, long deviceSize);

    /// <summary>How many leading bytes of an image stream <see cref="ReadFilesystemSize"/> needs.</summary>
    int HeaderLength { get; }

    /// <summary>
    /// The size in bytes of the device the image was made from, read from the image's first
    /// <see cref="HeaderLength"/> bytes; null when they are not a header this imager wrote.
    /// </summary>
    long? ReadFilesystemSize(ReadOnlySpan<byte> head);

    /// <summary>A parser for one run's standard error.</summary>
    IProgressParser CreateProgressParser();
}

/// <summary>Reads an imaging program's standard error as it arrives.</summary>
public interface IProgressParser
{
    /// <summary>Feeds the next piece of standard error; returns the progress updates it completed.</summary>
    IReadOnlyList<ImagingProgress> Feed(ReadOnlySpan<char> text);

    /// <summary>The program's last few lines, kept to explain a failure.</summary>
    IReadOnlyList<string> LastLines { get; }
}

/// <summary>One progress update of an imaging program.</summary>
/// <param name="Complete">Fraction done, 0 to 1.</param>
/// <param name="Remaining">The program's estimate of the time left, if it gave one.</param>
/// <param name="Rate">The rate as the program prints it, e.g. <c>921.38MB/min</c>.</param>
public readonly record struct ImagingProgress(double Complete, TimeSpan? Remaining, string? Rate);
