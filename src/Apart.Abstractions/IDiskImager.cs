namespace Apart.Abstractions;

/// <summary>
/// Saves whole disks as image directories and writes them back: the partition table, the boot
/// areas, and one partition image per data partition, in its format's layout (Clonezilla's, for
/// the shipped plugin). The host claims the disks, runs the imager and codec for each partition
/// into the program this format names, flushes and names the directory, and checks before it
/// writes; this says what goes where.
/// </summary>
public interface IDiskImager
{
    /// <summary>Why a disk with this partition table (<c>gpt</c>, <c>dos</c>) cannot be saved, or null when it can.</summary>
    string? CannotSave(string table);

    /// <summary>
    /// Why an imager's format cannot be a partition image of this format (a reader of these
    /// images expects its own kinds), or null when it can.
    /// </summary>
    string? CannotHold(string imagerFormat);

    /// <summary>
    /// Writes the disk's layout into <paramref name="directory"/> (new, empty, the host's): its
    /// partition table and boot areas and the like. Returns the image as it will be: every
    /// partition, and which of them hold data to image.
    /// </summary>
    /// <param name="disk">The disk, claimed by the host (open it by path, without O_EXCL; it is only read).</param>
    /// <param name="parts">Its partitions as the inventory lists them (filesystems, labels, UUIDs).</param>
    /// <param name="directory">Where the image is being written.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    Task<DiskImage> SaveLayoutAsync(DeviceExtent disk, IReadOnlyList<PartDevice> parts, string directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// The program that writes one partition's image, read from its standard input (the imager's
    /// stream, compressed), as this format's files in the image's directory.
    /// </summary>
    /// <param name="image">The image being saved.</param>
    /// <param name="part">A data partition of it.</param>
    /// <param name="imagerFormat">The imager's format for the partition (<c>ext4</c>, <c>dd</c>).</param>
    /// <param name="codecExtension">The codec's file extension (<c>gz</c>, <c>uncompressed</c>).</param>
    CommandLine WritePartition(DiskImage image, DiskImagePart part, string imagerFormat, string codecExtension);

    /// <summary>
    /// Completes an image once every partition is written: what records its files (sizes,
    /// checksums, computed by programs reading them, not through the host).
    /// </summary>
    Task FinishAsync(DiskImage image, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads an image directory of this format, listing each partition's pieces; null when the
    /// directory is not one.
    /// </summary>
    /// <exception cref="InvalidDataException">It is one, but its description cannot be read: the reason.</exception>
    Task<DiskImage?> ReadAsync(string directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a partition image of this format named by its first file (a single partition's, as
    /// <c>restore</c> and <c>verify</c> take it); null when the path does not name one.
    /// </summary>
    DiskImagePart? ReadPartition(string path);

    /// <summary>
    /// Checks that every piece of an image's data partitions is there (for a disk image, every
    /// file of it) and is what was written: its recorded size and, with <paramref name="contents"/>,
    /// its recorded checksum, read by programs (never through the host). The first problem found,
    /// naming the piece; else <see cref="PieceCheck.Whole"/>, or <see cref="PieceCheck.Unrecorded"/>
    /// when the image records no checksums (then only each partition's own check can tell).
    /// </summary>
    /// <param name="image">An image as <see cref="ReadAsync"/> or <see cref="ReadPartition"/> gave it (possibly with only some of its parts).</param>
    /// <param name="contents">Whether to read the pieces and check their checksums, or only their presence and sizes (quick).</param>
    /// <param name="cancellationToken">Stops the check.</param>
    Task<PieceCheck> CheckPiecesAsync(DiskImage image, bool contents, CancellationToken cancellationToken = default);

    /// <summary>The program that writes a partition image's pieces, in order, to standard output.</summary>
    CommandLine ReadPieces(DiskImagePart part);

    /// <summary>
    /// Writes an image's partition table and boot areas to a disk (claimed by the host: open it by
    /// path, without O_EXCL), keeping the disk's and partitions' identifiers; with
    /// <paramref name="grow"/>, the last partition extends to the end of a larger disk. Returns
    /// where every partition of the image is on the disk now.
    /// </summary>
    Task<IReadOnlyList<DiskImagePart>> RestoreLayoutAsync(DiskImage image, DeviceExtent disk, bool grow, CancellationToken cancellationToken = default);

    /// <summary>Makes a swap partition again as the image recorded it (UUID, label).</summary>
    Task RestoreSwapAsync(DiskImagePart swap, DeviceExtent device, CancellationToken cancellationToken = default);
}
