namespace Apart.Inventory.Lsblk;

/// <summary>One device of lsblk's tree, with every column it may lack already defaulted.</summary>
/// <param name="Name">lsblk's NAME (the kernel or device-mapper name, e.g. <c>vg-root</c>).</param>
/// <param name="Path">lsblk's PATH (<c>/dev/mapper/vg-root</c>); null from lsblk before 2.33 and from stand-ins.</param>
/// <param name="Type">lsblk's TYPE (<c>disk</c>, <c>part</c>, <c>lvm</c>, …); null when not printed.</param>
/// <param name="Size">Bytes; 0 when not printed.</param>
/// <param name="HasMountpoint">Whether MOUNTPOINT or any of MOUNTPOINTS is set (<c>[SWAP]</c> included).</param>
/// <param name="Children">Partitions and devices stacked on this one (md arrays, LVM volumes, crypt mappings).</param>
internal sealed record LsblkDevice(
    string Name,
    string? Path,
    string? Type,
    long Size,
    string? FsType,
    string? Label,
    string? Uuid,
    bool HasMountpoint,
    IReadOnlyList<LsblkDevice> Children)
{
    /// <summary>lsblk's PTTYPE: the partition table on a whole device (<c>gpt</c>, <c>dos</c>), with udev; null otherwise.</summary>
    public string? PartitionTable { get; init; }

    /// <summary>A partition's offset in bytes (lsblk's START, in 512-byte sectors, from sysfs); null when not printed.</summary>
    public long? Start { get; init; }

    /// <summary>Whether lsblk told anything about a filesystem on it (with udev it does; without, never).</summary>
    public bool HasFilesystemData => FsType is not null || Label is not null || Uuid is not null;
}
