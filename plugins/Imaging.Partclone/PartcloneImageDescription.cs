using System.Buffers.Binary;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Everything the 110-byte descriptor at the start of a format 0002 image says about where its
/// blocks are (partclone's <c>image_desc_v2</c>, packed, little-endian): after the
/// <see cref="PartcloneImageHeader"/> fields, <c>totalblock</c> u64 at 60, <c>usedblocks</c> u64 at 68,
/// <c>used_bitmap</c> u64 at 76, <c>block_size</c> u32 at 84, then the options: <c>feature_size</c> u32
/// at 88, <c>image_version</c> u16 at 92, <c>cpu_bits</c> u16 at 94, <c>checksum_mode</c> u16 at 96,
/// <c>checksum_size</c> u16 at 98, <c>blocks_per_checksum</c> u32 at 100, <c>reseed_checksum</c> u8 at
/// 104, <c>bitmap_mode</c> u8 at 105, and the descriptor's <see cref="PartcloneCrc32"/> u32 at 106.
/// Then the bitmap (one bit per block, least significant bit first, and its CRC32), then the
/// used blocks in order, a checksum of <see cref="ChecksumSize"/> bytes after every
/// <see cref="BlocksPerChecksum"/> of them and after the last.
/// </summary>
/// <param name="Header">The fields shared with format 0001: the filesystem and the device size.</param>
/// <param name="TotalBlocks">The filesystem's blocks, used or not: the bitmap has one bit for each.</param>
/// <param name="BlockSize">Bytes in a block.</param>
/// <param name="ChecksumMode">partclone's checksum algorithm (<see cref="Crc32Mode"/>, <see cref="NoChecksumMode"/>…).</param>
/// <param name="ChecksumSize">Bytes of each data checksum; 0 when there are none.</param>
/// <param name="BlocksPerChecksum">Used blocks covered by one checksum; 0 when there are none.</param>
/// <param name="Reseeded">Whether every checksum starts again from the seed, rather than from the one before.</param>
/// <param name="HasBitmap">False for partclone's "no bitmap" mode: every block is in the image.</param>
internal sealed record PartcloneImageDescription(
    PartcloneImageHeader Header,
    long TotalBlocks,
    int BlockSize,
    int ChecksumMode,
    int ChecksumSize,
    long BlocksPerChecksum,
    bool Reseeded,
    bool HasBitmap)
{
    /// <summary>Bytes of the descriptor, where the bitmap starts.</summary>
    public const int Length = CrcOffset + sizeof(uint);

    /// <summary>partclone's <c>CSM_NONE</c>.</summary>
    public const int NoChecksumMode = 0x00;

    /// <summary>partclone's <c>CSM_CRC32</c>, its default.</summary>
    public const int Crc32Mode = 0x20;

    private const int TotalBlocksOffset = 60;
    private const int BlockSizeOffset = 84;
    private const int ChecksumModeOffset = 96;
    private const int ChecksumSizeOffset = 98;
    private const int BlocksPerChecksumOffset = 100;
    private const int ReseedOffset = 104;
    private const int BitmapModeOffset = 105;
    private const int CrcOffset = 106;

    // partclone's bitmap_mode_t.
    private const byte BitmapNone = 0x00;
    private const byte BitmapBits = 0x01;
    private const byte BitmapBytes = 0x08;

    // Far above any filesystem's block, low enough that a damaged header cannot make a read huge.
    private const int MaxBlockSize = 64 * 1024 * 1024;
    private const int MaxChecksumSize = 64;

    /// <summary>Bytes of the bitmap, without its CRC.</summary>
    public long BitmapLength => HasBitmap ? (TotalBlocks + 7) / 8 : 0;

    /// <summary>Where the first used block is.</summary>
    public long DataOffset => Length + (HasBitmap ? BitmapLength + sizeof(uint) : 0);

    /// <summary>Whether the data checksums are partclone's CRC32, which this reader checks.</summary>
    public bool ChecksumIsCrc32 => ChecksumMode == Crc32Mode && ChecksumSize == sizeof(uint) && BlocksPerChecksum > 0;

    /// <summary>Where used block number <paramref name="rank"/> (counting used blocks only, from 0) starts in the image.</summary>
    public long BlockOffset(long rank) =>
        DataOffset + (rank * BlockSize) + (BlocksPerChecksum > 0 ? rank / BlocksPerChecksum * ChecksumSize : 0);

    /// <summary>
    /// Reads the descriptor at the start of an image.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a partclone image, or its descriptor is damaged (the message says how).</exception>
    /// <exception cref="NotSupportedException">A partclone image this reader cannot serve in place (the message says why).</exception>
    public static PartcloneImageDescription Read(ReadOnlySpan<byte> head)
    {
        var header = PartcloneImageHeader.TryRead(head)
            ?? throw new InvalidDataException("it is not a partclone image, or its header is damaged: no partclone header at its start");
        if (header.ImageVersion != "0002")
        {
            throw new NotSupportedException($"it is in partclone's image format {header.ImageVersion} (partclone before 0.3), which Apart cannot read in place: restore it instead");
        }

        if (header.BigEndian)
        {
            throw new NotSupportedException("it was made on a big-endian machine, and partclone's images can be read only on a machine of the same byte order");
        }

        if (head.Length < Length)
        {
            throw new InvalidDataException($"its header is cut short: {head.Length} of {Length} bytes");
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(head[CrcOffset..]);
        var computed = PartcloneCrc32.Compute(head[..CrcOffset]);
        if (stored != computed)
        {
            throw new InvalidDataException($"its header is damaged: its checksum is 0x{stored:X8}, its bytes give 0x{computed:X8}");
        }

        var totalBlocks = BinaryPrimitives.ReadUInt64LittleEndian(head[TotalBlocksOffset..]);
        var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(head[BlockSizeOffset..]);
        var checksumMode = BinaryPrimitives.ReadUInt16LittleEndian(head[ChecksumModeOffset..]);
        var checksumSize = BinaryPrimitives.ReadUInt16LittleEndian(head[ChecksumSizeOffset..]);
        var blocksPerChecksum = BinaryPrimitives.ReadUInt32LittleEndian(head[BlocksPerChecksumOffset..]);
        var bitmapMode = head[BitmapModeOffset];

        if (blockSize is 0 or > MaxBlockSize || totalBlocks > (ulong)(long.MaxValue / blockSize))
        {
            throw new InvalidDataException($"its header describes {totalBlocks} blocks of {blockSize} bytes, which no device holds");
        }

        if (checksumSize > MaxChecksumSize)
        {
            throw new InvalidDataException($"its header gives {checksumSize}-byte checksums, which partclone never writes");
        }

        var hasBitmap = bitmapMode switch
        {
            BitmapBits => true,
            BitmapNone => false,

            // partclone writes a byte per block but a CRC of the bit array after them, and reads it
            // back expecting a magic string there: such an image cannot be restored by partclone either.
            BitmapBytes => throw new NotSupportedException("its bitmap has a byte per block, which partclone itself cannot read back"),
            _ => throw new InvalidDataException($"its header names bitmap mode {bitmapMode}, which partclone does not have"),
        };

        return new PartcloneImageDescription(
            header,
            (long)totalBlocks,
            (int)blockSize,
            checksumMode,
            checksumSize,
            blocksPerChecksum,
            head[ReseedOffset] != 0,
            hasBitmap);
    }
}
