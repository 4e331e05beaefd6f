namespace Apart.Cli.Output;

/// <summary>A cloneable part in <see cref="ListJson"/>; facts the core does not know are null.</summary>
/// <param name="Name">The name below /dev, e.g. <c>sda1</c> or <c>mapper/vg-root</c>.</param>
/// <param name="Path">The device node to clone or restore to.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Fstype">The filesystem type, e.g. <c>ext4</c>.</param>
/// <param name="Label">The filesystem label.</param>
/// <param name="Mounted">Whether it, or anything stacked on it, is mounted or active swap.</param>
/// <param name="Uuid">The filesystem UUID.</param>
internal sealed record PartJson(string Name, string Path, long Size, string? Fstype, string? Label, bool Mounted, string? Uuid);
