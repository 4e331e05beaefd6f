namespace Apart.Inventory.Lsblk;

/// <summary>
/// What is known of a device's content: lsblk's FSTYPE, LABEL and UUID, or blkid's TYPE, LABEL and
/// UUID (the same names: lsblk reads them from udev, which has them from libblkid).
/// </summary>
/// <param name="Type">The filesystem (or other signature: swap, LVM2_member) type; null when unknown.</param>
/// <param name="PartitionTable">blkid's PTTYPE on a whole device: <c>gpt</c>, <c>dos</c>; null when it has none.</param>
internal sealed record FilesystemSignature(string? Type, string? Label, string? Uuid, string? PartitionTable = null);
