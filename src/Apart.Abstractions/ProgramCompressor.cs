namespace Apart.Abstractions;

/// <summary>
/// A codec defined entirely by its programs, which is what most codecs are. A codec plugin needs
/// nothing more than to register one of these.
/// </summary>
public sealed class ProgramCompressor : ICompressor
{
    /// <summary>Defines a codec.</summary>
    /// <param name="name">Wire name and, unless <paramref name="fileExtension"/> is given, file extension.</param>
    /// <param name="compress">Compresses standard input to standard output.</param>
    /// <param name="decompress">Decompresses standard input to standard output.</param>
    /// <param name="fileExtension">The image file extension; defaults to <paramref name="name"/>.</param>
    /// <param name="legacyFileExtensions">Older extensions accepted when reading.</param>
    public ProgramCompressor(
        string name,
        CommandLine compress,
        CommandLine decompress,
        string? fileExtension = null,
        IReadOnlyList<string>? legacyFileExtensions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Compress = compress ?? throw new ArgumentNullException(nameof(compress));
        Decompress = decompress ?? throw new ArgumentNullException(nameof(decompress));
        FileExtension = fileExtension ?? name;
        LegacyFileExtensions = legacyFileExtensions ?? [];
        Probe = new CommandLine(compress.Program, ["--version"]);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string FileExtension { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> LegacyFileExtensions { get; }

    /// <inheritdoc/>
    public CommandLine? Compress { get; }

    /// <inheritdoc/>
    public CommandLine? Decompress { get; }

    /// <summary><c>PROGRAM --version</c> of the compress program.</summary>
    public CommandLine? Probe { get; }
}
