namespace Apart.Abstractions;

/// <summary>Lists the machine's block devices that hold something cloneable.</summary>
public interface IDeviceInventory
{
    /// <summary>
    /// Reads the devices afresh (docs/PROTOCOL.md §3): whole devices with their partitions, and whole
    /// devices that hold a filesystem directly, each as a source with a single part of its own name.
    /// Whole devices with neither partitions nor a recognised filesystem (a new disk, a zeroed loop
    /// device) come as a source with one <see cref="PartDevice.Unformatted"/> part: listed without a
    /// filesystem, a place to restore to, and cloneable as raw bytes. Partitions the kernel shows
    /// no node for are listed too (<see cref="PartDevice.HasNode"/> false), at their offset.
    /// </summary>
    Task<IReadOnlyList<SourceDevice>> ListSourcesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The source that holds <paramref name="devicePath"/>, as its whole device or as one of its
    /// parts, read afresh as <see cref="ListSourcesAsync"/> reads it (the host checks a job's
    /// device with it just before the job); null when no source does. An inventory may read less
    /// for it than for the whole list (probe only the disk the device is on): the source must be
    /// the one the whole list would give. Since 1.2; by default, the whole list searched.
    /// </summary>
    /// <param name="devicePath">A device path as a request names it: <c>/dev/sda1</c>, <c>/dev/sdb</c>.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    async Task<SourceDevice?> ListSourceAsync(string devicePath, CancellationToken cancellationToken = default) =>
        Holding(await ListSourcesAsync(cancellationToken).ConfigureAwait(false), devicePath);

    /// <summary>The first of <paramref name="sources"/> that is <paramref name="devicePath"/> or has it as a part; null when none.</summary>
    static SourceDevice? Holding(IReadOnlyList<SourceDevice> sources, string devicePath) =>
        sources.FirstOrDefault(source => source.DevicePath == devicePath || source.Parts.Any(part => part.DevicePath == devicePath));
}

/// <summary>A whole device (disk, loop device, md array, LVM volume) and its cloneable parts.</summary>
/// <param name="Name">The name below <c>/dev</c>, e.g. <c>sda</c> or <c>mapper/vg-root</c>.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Parts">Its partitions, or itself when it holds a filesystem directly.</param>
/// <param name="Table">Its partition table, <c>gpt</c> or <c>dos</c> (blkid's names), when it has one.</param>
public sealed record SourceDevice(string Name, long Size, IReadOnlyList<PartDevice> Parts, string? Table = null)
{
    /// <summary>The device node, <c>/dev/</c> + <see cref="Name"/>.</summary>
    public string DevicePath => "/dev/" + Name;
}

/// <summary>A cloneable block device: a partition or a whole device holding a filesystem.</summary>
/// <param name="Name">The path below <c>/dev</c>: <c>sda1</c>, <c>nvme0n1p2</c>, <c>mapper/vg-root</c>.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Mounted">True when it or anything stacked on it is mounted or active swap.</param>
/// <param name="FsType">The filesystem type as blkid names it (<c>ext4</c>, <c>vfat</c>, …), if known.</param>
/// <param name="Label">The filesystem label, if any.</param>
/// <param name="Uuid">The filesystem UUID, if any.</param>
/// <param name="Unformatted">
/// A whole device with neither partitions nor a filesystem blkid recognises: a new disk, a zeroed
/// loop device. Status lists it without a filesystem; an image may be restored to it, and it can
/// be cloned byte for byte.
/// </param>
public sealed record PartDevice(
    string Name,
    long Size,
    bool Mounted,
    string? FsType = null,
    string? Label = null,
    string? Uuid = null,
    bool Unformatted = false)
{
    /// <summary>A partition's offset in bytes from the start of its disk; null for a whole device.</summary>
    public long? Start { get; init; }

    /// <summary>
    /// False for a partition the kernel shows no device node for (a kernel without partition-table
    /// support, a loop device attached without partition scanning): the host reaches it through a
    /// loop device of its own at <see cref="Start"/>.
    /// </summary>
    public bool HasNode { get; init; } = true;

    /// <summary>The device node, <c>/dev/</c> + <see cref="Name"/>.</summary>
    public string DevicePath => "/dev/" + Name;
}
