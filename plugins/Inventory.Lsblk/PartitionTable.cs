namespace Apart.Inventory.Lsblk;

/// <summary>A disk's partition table as sfdisk reads it from the device itself, kernel or no kernel.</summary>
/// <param name="Label">sfdisk's label: <c>gpt</c> or <c>dos</c>.</param>
/// <param name="Partitions">Its entries, in table order.</param>
internal sealed record PartitionTable(string Label, IReadOnlyList<TableEntry> Partitions);

/// <summary>One entry of a partition table.</summary>
/// <param name="Number">The partition number, as the kernel would name it (<c>sda3</c>, <c>loop5p3</c>).</param>
/// <param name="Start">Bytes from the start of the disk.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Type">sfdisk's type: a GUID for GPT, a hexadecimal code for dos (<c>83</c>, <c>5</c>).</param>
internal sealed record TableEntry(int Number, long Start, long Size, string? Type)
{
    // dos extended partitions (CHS, LBA, Linux): containers of logical partitions, not data.
    private static readonly HashSet<string> ContainerTypes = new(StringComparer.OrdinalIgnoreCase) { "5", "f", "85" };

    /// <summary>Whether it only holds other partitions (a dos extended partition).</summary>
    public bool IsContainer => Type is not null && ContainerTypes.Contains(Type);
}
