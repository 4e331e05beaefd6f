using Apart.Abstractions;

namespace Apart.Compression.None;

/// <summary>Images stored as partclone writes them: no program, partclone writes the file itself.</summary>
public sealed class UncompressedCompressor : ICompressor
{
    /// <inheritdoc/>
    public string Name => "uncompressed";

    /// <inheritdoc/>
    public string FileExtension => "uncompressed";

    /// <inheritdoc/>
    public IReadOnlyList<string> LegacyFileExtensions => [];

    /// <inheritdoc/>
    public CommandLine? Compress => null;

    /// <inheritdoc/>
    public CommandLine? Decompress => null;

    /// <inheritdoc/>
    public CommandLine? Probe => null;
}
