namespace Apart.Cli.Output;

/// <summary><c>apart list --json</c>: the core's inventory and its compression options.</summary>
/// <param name="Sources">Whole devices with their cloneable parts.</param>
/// <param name="CompressionOptions">The codecs a clone may use, in the core's order.</param>
internal sealed record ListJson(IReadOnlyList<SourceJson> Sources, IReadOnlyList<string> CompressionOptions);
