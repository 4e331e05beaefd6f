using System.Buffers;
using System.Buffers.Binary;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// The device a partclone image (format 0002, decompressed) was made from: each used block read
/// from its place in the image, every other byte zero, <see cref="PartcloneImageHeader.DeviceSize"/>
/// bytes in all. No byte is served unchecked where the image has CRC32 data checksums: a read
/// that takes in part of a checksum's group (1 MiB of blocks by default) reads and checks the
/// whole group first, once; a bit per group remembers which were checked.
/// </summary>
internal sealed class PartcloneDeviceSource : IRandomAccessSource
{
    private readonly IRandomAccessSource _image;
    private readonly PartcloneImageDescription _description;
    private readonly PartcloneBlockMap _map;

    // Bytes the filesystem's blocks cover; any rest of the device is not in the image: zeros.
    private readonly long _covered;

    // A bit per checksum group, set once its checksum matched; null where reads need not widen
    // (no CRC32 checksums, or one per block).
    private readonly long[]? _checked;

    private PartcloneDeviceSource(IRandomAccessSource image, PartcloneImageDescription description, PartcloneBlockMap map)
    {
        _image = image;
        _description = description;
        _map = map;
        Length = description.Header.DeviceSize;
        _covered = Math.Min(Length, description.TotalBlocks * description.BlockSize);
        if (description.ChecksumIsCrc32 && description.BlocksPerChecksum > 1)
        {
            var groups = (map.UsedBlocks + description.BlocksPerChecksum - 1) / description.BlocksPerChecksum;
            _checked = new long[(groups + 63) / 64];
        }
    }

    /// <inheritdoc/>
    public long Length { get; }

    /// <summary>The map of used blocks (its summary is all this source keeps in memory).</summary>
    public PartcloneBlockMap Map => _map;

    /// <summary>
    /// Opens the device of <paramref name="image"/>: reads and checks its descriptor and bitmap.
    /// Takes ownership of <paramref name="image"/> when it succeeds.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a partclone image, or damaged in its descriptor or bitmap.</exception>
    /// <exception cref="NotSupportedException">A partclone image this reader cannot serve (the message says why).</exception>
    public static PartcloneDeviceSource Open(IRandomAccessSource image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var head = new byte[PartcloneImageDescription.Length];
        var read = 0;
        while (read < head.Length && image.Read(read, head.AsSpan(read)) is > 0 and var n)
        {
            read += n;
        }

        var description = PartcloneImageDescription.Read(head.AsSpan(0, read));
        return new PartcloneDeviceSource(image, description, PartcloneBlockMap.Load(image, description));
    }

    /// <inheritdoc/>
    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        var count = (int)Math.Min(buffer.Length, Length - offset);
        var output = buffer[..count];
        output.Clear();
        if (offset < _covered)
        {
            ReadBlocks(offset, output[..(int)(Math.Min(offset + count, _covered) - offset)]);
        }

        return count;
    }

    /// <inheritdoc/>
    public void Dispose() => _image.Dispose();

    // Fills `output` (zeroed, within the blocks) with the used blocks' bytes from `offset` on.
    private void ReadBlocks(long offset, Span<byte> output)
    {
        long blockSize = _description.BlockSize;
        var firstBlock = offset / blockSize;
        var endBlock = (offset + output.Length + blockSize - 1) / blockSize;
        var blocks = (int)(endBlock - firstBlock);
        var used = ArrayPool<bool>.Shared.Rent(blocks);
        byte[]? span = null;
        try
        {
            var flags = used.AsSpan(0, blocks);
            var firstRank = _map.Read(firstBlock, flags);
            var usedCount = flags.Count(true);
            if (usedCount == 0)
            {
                return;
            }

            // The image bytes from the first used block to the end of the last one, widened to
            // the whole groups at either end not checked yet, with the checksums among them and
            // the one right after the last (to check its group).
            var lastRank = firstRank + usedCount - 1;
            var (spanFirst, spanLast) = Widened(firstRank, lastRank);
            var spanStart = _description.BlockOffset(spanFirst);
            var spanEnd = _description.BlockOffset(spanLast) + blockSize + (EndsGroup(spanLast) ? _description.ChecksumSize : 0);
            var spanLength = checked((int)(spanEnd - spanStart));
            span = ArrayPool<byte>.Shared.Rent(spanLength);
            var image = span.AsSpan(0, spanLength);
            PartcloneBlockMap.ReadExactly(_image, spanStart, image, $"the data of block {firstBlock + flags.IndexOf(true)}");
            CheckWholeGroups(spanFirst, spanLast, spanStart, image);

            var rank = firstRank;
            for (var i = 0; i < blocks; i++)
            {
                if (!flags[i])
                {
                    continue;
                }

                // The part of this block the read asked for.
                var blockStart = (firstBlock + i) * blockSize;
                var from = Math.Max(blockStart, offset);
                var to = Math.Min(blockStart + blockSize, offset + output.Length);
                var source = _description.BlockOffset(rank) - spanStart + (from - blockStart);
                image.Slice((int)source, (int)(to - from)).CopyTo(output[(int)(from - offset)..]);
                rank++;
            }
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(used);
            if (span is not null)
            {
                ArrayPool<byte>.Shared.Return(span);
            }
        }
    }

    // The used blocks to read for ranks first..last: out to the edges of the groups at either end
    // that were not checked yet, so that they can be.
    private (long First, long Last) Widened(long first, long last)
    {
        if (_checked is null)
        {
            return (first, last);
        }

        var perGroup = _description.BlocksPerChecksum;
        if (!IsChecked(first / perGroup))
        {
            first = first / perGroup * perGroup;
        }

        if (!IsChecked(last / perGroup))
        {
            last = Math.Min(((last / perGroup) + 1) * perGroup, _map.UsedBlocks) - 1;
        }

        return (first, last);
    }

    private bool IsChecked(long group) => (Volatile.Read(ref _checked![group / 64]) & (1L << (int)(group % 64))) != 0;

    // Whether used block `rank` is the last of its checksum's group (the last used block ends one too).
    private bool EndsGroup(long rank) =>
        _description.BlocksPerChecksum > 0
        && ((rank + 1) % _description.BlocksPerChecksum == 0 || rank + 1 == _map.UsedBlocks);

    // Checks the CRC32 of every group whose blocks are all in `image` (the bytes from `spanStart`)
    // and that was not checked before.
    private void CheckWholeGroups(long firstRank, long lastRank, long spanStart, ReadOnlySpan<byte> image)
    {
        if (!_description.ChecksumIsCrc32)
        {
            return;
        }

        var perGroup = _description.BlocksPerChecksum;
        var group = (firstRank + perGroup - 1) / perGroup;
        for (; ; group++)
        {
            var groupFirst = group * perGroup;
            var groupLast = Math.Min(groupFirst + perGroup, _map.UsedBlocks) - 1;
            if (groupFirst > lastRank || groupLast > lastRank)
            {
                return;
            }

            if (_checked is not null && IsChecked(group))
            {
                continue;
            }

            var start = (int)(_description.BlockOffset(groupFirst) - spanStart);
            var length = (int)((groupLast - groupFirst + 1) * _description.BlockSize);
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(image[(start + length)..]);
            var computed = PartcloneCrc32.Update(Seed(group, spanStart, image), image.Slice(start, length));
            if (computed != stored)
            {
                throw new InvalidDataException($"it is damaged: the checksum of used blocks {groupFirst}-{groupLast} is 0x{stored:X8}, their bytes give 0x{computed:X8}");
            }

            if (_checked is not null)
            {
                Interlocked.Or(ref _checked[group / 64], 1L << (int)(group % 64));
            }
        }
    }

    // A group's checksum starts from the seed, or, when partclone was told not to reseed (-K), from
    // the checksum stored before it, which sits in the image just before the group's first block.
    private uint Seed(long group, long spanStart, ReadOnlySpan<byte> image)
    {
        if (_description.Reseeded || group == 0)
        {
            return PartcloneCrc32.Seed;
        }

        var at = _description.BlockOffset(group * _description.BlocksPerChecksum) - sizeof(uint);
        if (at >= spanStart)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(image[(int)(at - spanStart)..]);
        }

        Span<byte> previous = stackalloc byte[sizeof(uint)];
        PartcloneBlockMap.ReadExactly(_image, at, previous, "a data checksum");
        return BinaryPrimitives.ReadUInt32LittleEndian(previous);
    }
}
