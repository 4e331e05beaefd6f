namespace Apart.Abstractions;

/// <summary>A disk image as its format describes it: the disk it was made from and its partitions.</summary>
/// <param name="Directory">The image directory.</param>
/// <param name="DiskName">The source disk's name below /dev (<c>sda</c>, <c>nvme0n1</c>); null for an image of some partitions only (Clonezilla's saveparts).</param>
/// <param name="Table">Its partition table: <c>gpt</c> or <c>dos</c>; null with no disk.</param>
/// <param name="DiskSize">The source disk's size in bytes; 0 with no disk.</param>
/// <param name="Parts">Every partition, in table order.</param>
public sealed record DiskImage(string Directory, string? DiskName, string? Table, long DiskSize, IReadOnlyList<DiskImagePart> Parts)
{
    /// <summary>
    /// How large a disk must be to take the image: past the end of its last partition, and room
    /// for what the table keeps after it (GPT's backup header).
    /// </summary>
    public long RequiredSize { get; init; }

    /// <summary>
    /// The files of an image this format's plugin wrote itself, as it recorded them (names in
    /// <see cref="Directory"/>); empty for an image another tool made. <c>delete-clone</c> removes
    /// an image directory only when these are all it holds.
    /// </summary>
    public IReadOnlyList<string> WrittenFiles { get; init; } = [];
}

/// <summary>One partition of a disk image (or a partition image on its own).</summary>
/// <param name="Name">Its kernel name on the source disk: <c>sda1</c>, <c>nvme0n1p2</c>, <c>loop5p1</c>.</param>
/// <param name="Start">Its offset in bytes from the start of the disk.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Role">What it holds.</param>
public sealed record DiskImagePart(string Name, long Start, long Size, PartRole Role)
{
    /// <summary>Data partitions: the imager's format of its image (<c>ext4</c>, <c>dd</c>).</summary>
    public string? Format { get; init; }

    /// <summary>Data partitions: the file extension of the codec its image is compressed with (<c>gz</c>, <c>uncompressed</c>).</summary>
    public string? CodecExtension { get; init; }

    /// <summary>Data partitions: the files of its image, in order (empty until saved).</summary>
    public IReadOnlyList<string> Pieces { get; init; } = [];

    /// <summary>The filesystem type, where the image says.</summary>
    public string? FsType { get; init; }

    /// <summary>Swap partitions: the UUID to make it with again.</summary>
    public string? Uuid { get; init; }

    /// <summary>Swap partitions: the label to make it with again.</summary>
    public string? Label { get; init; }
}

/// <summary>What a partition of a disk image holds.</summary>
public enum PartRole
{
    /// <summary>A filesystem or other data, imaged.</summary>
    Data,

    /// <summary>Swap space, made again rather than imaged.</summary>
    Swap,

    /// <summary>Holds other partitions (an MBR extended partition): only its table is kept.</summary>
    Container,
}

/// <summary>What checking an image's pieces found.</summary>
/// <param name="Problem">The first problem, naming the piece; null when none was found.</param>
/// <param name="Recorded">Whether the image records checksums, so that they were checked.</param>
public sealed record PieceCheck(string? Problem, bool Recorded)
{
    /// <summary>Every piece is there, and as the image records it.</summary>
    public static PieceCheck Whole { get; } = new(null, true);

    /// <summary>Every piece is there, but the image records no checksums to check them by.</summary>
    public static PieceCheck Unrecorded { get; } = new(null, false);
}
