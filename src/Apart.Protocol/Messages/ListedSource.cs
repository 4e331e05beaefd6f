namespace Apart.Protocol;

/// <summary>
/// A whole device as <c>status</c> lists it under <c>sources</c> (docs/PROTOCOL.md §3): a disk,
/// loop device, md array or LVM volume, and its cloneable parts.
/// </summary>
/// <param name="Name">The name below <c>/dev</c>, e.g. <c>sda</c> or <c>mapper/vg-root</c>.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Parts">Its partitions, or itself when it holds a filesystem directly (or nothing: a blank device).</param>
/// <param name="Table">Extension: its partition table, <c>gpt</c> or <c>dos</c>, when it has one; such a source can be cloned whole (<c>clone-disk</c>).</param>
public sealed record ListedSource(string Name, long Size, IReadOnlyList<ListedPart> Parts, string? Table = null)
{
    /// <summary>The device node a request names it by: <c>/dev/</c> + <see cref="Name"/>.</summary>
    public string DevicePath => "/dev/" + Name;

    /// <inheritdoc/>
    public bool Equals(ListedSource? other) =>
        other is not null && Name == other.Name && Size == other.Size && Table == other.Table && StatusEvent.Same(Parts, other.Parts);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Size, Table, Parts.Count);
}

/// <summary>A part as <c>status</c> lists it: a partition, or a whole device holding a filesystem.</summary>
/// <param name="Name">The path below <c>/dev</c>: <c>sda1</c>, <c>nvme0n1p2</c>, <c>mapper/vg-root</c>.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Mounted">True when it or anything stacked on it is mounted or active swap.</param>
/// <param name="FsType">The filesystem type as blkid names it (<c>ext4</c>, <c>vfat</c>, …), if known.</param>
/// <param name="Label">The filesystem label, if any.</param>
/// <param name="Uuid">The filesystem UUID, if any.</param>
public sealed record ListedPart(string Name, long Size, bool Mounted, string? FsType = null, string? Label = null, string? Uuid = null)
{
    /// <summary>The device node a request names it by: <c>/dev/</c> + <see cref="Name"/>.</summary>
    public string DevicePath => "/dev/" + Name;
}
