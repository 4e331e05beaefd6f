using System.Buffers;
using System.Buffers.Binary;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// The device a partclone image (format 0002, decompressed) was made from: each used block read
/// from its place in the image, every other byte zero, <see cref="PartcloneImageHeader.DeviceSize"/>
/// bytes in all. A read that takes in every block of a data checksum checks it; the others are
/// served unchecked (checking one would mean reading a whole checksum's blocks, 1 MiB by default).
/// </summary>
internal sealed class PartcloneDeviceSource : IRandomAccessSource
{
    private readonly IRandomAccessSource _image;
    private readonly PartcloneImageDescription _description;
    private readonly PartcloneBlockMap _map;

    // Bytes the filesystem's blocks cover; any rest of the device is not in the image: zeros.
    private readonly long _covered;

    private PartcloneDeviceSource(IRandomAccessSource image, PartcloneImageDescription description, PartcloneBlockMap map)
    {
        _image = image;
        _description = description;
        _map = map;
        Length = description.Header.DeviceSize;
        _covered = Math.Min(Length, description.TotalBlocks * description.BlockSize);
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

            // The image bytes from the first used block to the end of the last one, with the
            // checksums among them and the one right after the last (to check its group).
            var lastRank = firstRank + usedCount - 1;
            var spanStart = _description.BlockOffset(firstRank);
            var spanEnd = _description.BlockOffset(lastRank) + blockSize + (EndsGroup(lastRank) ? _description.ChecksumSize : 0);
            var spanLength = checked((int)(spanEnd - spanStart));
            span = ArrayPool<byte>.Shared.Rent(spanLength);
            var image = span.AsSpan(0, spanLength);
            PartcloneBlockMap.ReadExactly(_image, spanStart, image, $"the data of block {firstBlock + flags.IndexOf(true)}");
            CheckWholeGroups(firstRank, lastRank, spanStart, image);

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

    // Whether used block `rank` is the last of its checksum's group (the last used block ends one too).
    private bool EndsGroup(long rank) =>
        _description.BlocksPerChecksum > 0
        && ((rank + 1) % _description.BlocksPerChecksum == 0 || rank + 1 == _map.UsedBlocks);

    // Checks the CRC32 of every group whose blocks are all in `image` (the bytes from `spanStart`).
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

            var start = (int)(_description.BlockOffset(groupFirst) - spanStart);
            var length = (int)((groupLast - groupFirst + 1) * _description.BlockSize);
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(image[(start + length)..]);
            var computed = PartcloneCrc32.Update(Seed(group, spanStart, image), image.Slice(start, length));
            if (computed != stored)
            {
                throw new InvalidDataException($"it is damaged: the checksum of used blocks {groupFirst}-{groupLast} is 0x{stored:X8}, their bytes give 0x{computed:X8}");
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
