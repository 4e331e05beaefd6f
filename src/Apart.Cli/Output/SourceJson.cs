namespace Apart.Cli.Output;

/// <summary>A whole device in <see cref="ListJson"/>.</summary>
/// <param name="Name">The name below /dev, e.g. <c>sda</c>.</param>
/// <param name="Path">The device node, e.g. <c>/dev/sda</c>.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Parts">Its partitions, or itself when it holds a filesystem directly.</param>
internal sealed record SourceJson(string Name, string Path, long Size, IReadOnlyList<PartJson> Parts);
