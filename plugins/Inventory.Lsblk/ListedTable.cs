namespace Apart.Inventory.Lsblk;

/// <summary>A partition table read from a device the kernel shows no partition nodes for, and what blkid found in each partition.</summary>
/// <param name="Table">The table.</param>
/// <param name="Found">By partition number: the filesystem found in it.</param>
internal sealed record ListedTable(PartitionTable Table, IReadOnlyDictionary<int, FilesystemSignature> Found);
