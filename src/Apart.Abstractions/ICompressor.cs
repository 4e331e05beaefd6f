namespace Apart.Abstractions;

/// <summary>
/// A compression codec for image files: its name on the wire, its file extension and the programs
/// that compress and decompress a stream. The host runs those programs with their standard input
/// and output connected straight to partclone and to the image file, so image data never passes
/// through the host.
/// </summary>
public interface ICompressor
{
    /// <summary>The name in <c>compression_options</c> and in clone requests, e.g. <c>gz</c>.</summary>
    string Name { get; }

    /// <summary>The extension written at the end of image names, without a dot, e.g. <c>gz</c>.</summary>
    string FileExtension { get; }

    /// <summary>Older extensions still accepted when reading images (zstd's <c>zstd</c>).</summary>
    IReadOnlyList<string> LegacyFileExtensions { get; }

    /// <summary>Compresses standard input to standard output; null when images are stored as they are.</summary>
    CommandLine? Compress { get; }

    /// <summary>Decompresses standard input to standard output; null when images are stored as they are.</summary>
    CommandLine? Decompress { get; }

    /// <summary>
    /// A command that exits 0 when the codec's program is installed and works (e.g. <c>pigz --version</c>);
    /// null when the codec needs no program. The host runs every probe once, in parallel, at start-up.
    /// </summary>
    CommandLine? Probe { get; }
}
