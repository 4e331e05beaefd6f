namespace Apart.Cli.Output;

/// <summary>A whole device in <see cref="ListJson"/>.</summary>
/// <param name="Name">The name below /dev, e.g. <c>sda</c>.</param>
/// <param name="Path">The device node, e.g. <c>/dev/sda</c>.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Table">Its partition table, <c>gpt</c> or <c>dos</c>; null when it has none.</param>
/// <param name="Parts">Its partitions, or itself when it holds a filesystem directly (or nothing: a blank device).</param>
internal sealed record SourceJson(string Name, string Path, long Size, string? Table, IReadOnlyList<PartJson> Parts);
