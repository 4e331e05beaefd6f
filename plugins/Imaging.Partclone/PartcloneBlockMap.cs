using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Which blocks of a partclone image's device are in the image, and where: the rank of a block
/// (how many used blocks come before it) says where its bytes are. The bitmap itself stays in
/// the image and is read from it on demand; only a summary is kept, the rank at every
/// <see cref="BlocksPerSummary"/> blocks: 8 bytes per 8192 blocks, 256 KiB per TiB of 4 KiB
/// blocks (2 MiB per TiB at the smallest, 512-byte, blocks).
/// </summary>
internal sealed class PartcloneBlockMap
{
    /// <summary>Blocks between two entries of the summary: a lookup reads at most this many bits (1 KiB) of bitmap.</summary>
    public const int BlocksPerSummary = 8192;

    private const int BytesPerSummary = BlocksPerSummary / 8;

    // The bitmap follows the descriptor.
    private const long BitmapStart = PartcloneImageDescription.Length;

    // Read at open in pieces this size: the whole bitmap passes once, never all of it at a time.
    private const int OpenChunkBytes = 256 * 1024;

    private readonly IRandomAccessSource _image;
    private readonly PartcloneImageDescription _description;

    // _ranks[i]: used blocks before block i * BlocksPerSummary; the last entry counts them all.
    private readonly long[] _ranks;

    private PartcloneBlockMap(IRandomAccessSource image, PartcloneImageDescription description, long[] ranks)
    {
        _image = image;
        _description = description;
        _ranks = ranks;
    }

    /// <summary>How many blocks the image holds.</summary>
    public long UsedBlocks => _ranks[^1];

    /// <summary>Bytes this map keeps in memory for its summary.</summary>
    public long SummaryBytes => _ranks.LongLength * sizeof(long);

    /// <summary>
    /// Reads the bitmap once, checking its CRC and summing it up.
    /// </summary>
    /// <exception cref="InvalidDataException">The bitmap is cut short or damaged.</exception>
    public static PartcloneBlockMap Load(IRandomAccessSource image, PartcloneImageDescription description)
    {
        var total = description.TotalBlocks;
        var entries = checked((int)((total + BlocksPerSummary - 1) / BlocksPerSummary)) + 1;
        var ranks = new long[entries];
        if (!description.HasBitmap)
        {
            for (var i = 0; i < entries; i++)
            {
                ranks[i] = Math.Min(total, (long)i * BlocksPerSummary);
            }

            return new PartcloneBlockMap(image, description, ranks);
        }

        var length = description.BitmapLength;
        var buffer = ArrayPool<byte>.Shared.Rent(OpenChunkBytes);
        try
        {
            var crc = PartcloneCrc32.Seed;
            long used = 0;
            for (long done = 0; done < length;)
            {
                // Chunks end on a summary boundary, so each entry is one chunk's running count.
                var size = (int)Math.Min(OpenChunkBytes, length - done);
                var chunk = buffer.AsSpan(0, size);
                ReadExactly(image, BitmapStart + done, chunk, "its bitmap");
                crc = PartcloneCrc32.Update(crc, chunk);
                for (var at = 0; at < size; at += BytesPerSummary)
                {
                    ranks[(done + at) / BytesPerSummary] = used;
                    var piece = chunk.Slice(at, Math.Min(BytesPerSummary, size - at));
                    used += CountBits(piece, Math.Min(total - ((done + at) * 8), piece.Length * 8L));
                }

                done += size;
            }

            ranks[^1] = used;
            Span<byte> stored = stackalloc byte[sizeof(uint)];
            ReadExactly(image, BitmapStart + length, stored, "its bitmap's checksum");
            var expected = BinaryPrimitives.ReadUInt32LittleEndian(stored);
            if (expected != crc)
            {
                throw new InvalidDataException($"its bitmap is damaged: its checksum is 0x{expected:X8}, its bytes give 0x{crc:X8}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new PartcloneBlockMap(image, description, ranks);
    }

    /// <summary>
    /// Marks which of the blocks from <paramref name="firstBlock"/> on are in the image
    /// (<paramref name="used"/> gets one entry per block) and returns the rank of the first.
    /// </summary>
    /// <exception cref="InvalidDataException">The bitmap cannot be read back from the image.</exception>
    public long Read(long firstBlock, Span<bool> used)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBlock);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstBlock + used.Length, _description.TotalBlocks);
        if (!_description.HasBitmap)
        {
            used.Fill(true);
            return firstBlock;
        }

        // From the summary entry before the first block to the byte holding the last one.
        var entry = firstBlock / BlocksPerSummary;
        var fromByte = entry * BytesPerSummary;
        var lead = (int)(firstBlock - (entry * BlocksPerSummary));
        var bytes = (int)(((firstBlock + used.Length + 7) / 8) - fromByte);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        try
        {
            var window = buffer.AsSpan(0, bytes);
            ReadExactly(_image, BitmapStart + fromByte, window, "its bitmap");
            var rank = _ranks[entry] + CountBits(window, lead);
            for (var i = 0; i < used.Length; i++)
            {
                var bit = lead + i;
                used[i] = (window[bit >> 3] & (1 << (bit & 7))) != 0;
            }

            return rank;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads all of <paramref name="into"/> from <paramref name="offset"/>, or says the image ends too soon.</summary>
    /// <exception cref="InvalidDataException">The image ends before.</exception>
    public static void ReadExactly(IRandomAccessSource image, long offset, Span<byte> into, string what)
    {
        var done = 0;
        while (done < into.Length)
        {
            var read = image.Read(offset + done, into[done..]);
            if (read <= 0)
            {
                throw new InvalidDataException($"it is truncated: it ends at byte {offset + done}, inside {what}");
            }

            done += read;
        }
    }

    // The set bits among the first `bits` of `bytes` (least significant bit first, as partclone's
    // bit array on a little-endian machine).
    private static long CountBits(ReadOnlySpan<byte> bytes, long bits)
    {
        long count = 0;
        var whole = (int)(bits / 8);
        var words = whole / sizeof(ulong);
        for (var i = 0; i < words; i++)
        {
            count += BitOperations.PopCount(BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * sizeof(ulong))..]));
        }

        for (var i = words * sizeof(ulong); i < whole; i++)
        {
            count += BitOperations.PopCount(bytes[i]);
        }

        var rest = (int)(bits % 8);
        if (rest > 0)
        {
            count += BitOperations.PopCount((uint)(bytes[whole] & ((1 << rest) - 1)));
        }

        return count;
    }
}
