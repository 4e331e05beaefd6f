using Apart.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>The codec that stores images as they are, as the Compression.None plugin registers it.</summary>
internal sealed class Uncompressed : ICompressor
{
    public string Name => "uncompressed";

    public string FileExtension => "uncompressed";

    public IReadOnlyList<string> LegacyFileExtensions => [];

    public CommandLine? Compress => null;

    public CommandLine? Decompress => null;

    public CommandLine? Probe => null;
}
