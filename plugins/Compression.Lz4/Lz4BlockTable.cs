using System.Buffers.Binary;
using Apart.Abstractions;

namespace Apart.Compression.Lz4;

/// <summary>
/// The blocks of an lz4 image (one or more lz4 frames one after another), found from the frames'
/// block headers alone: each block states its compressed size.
/// </summary>
internal static class Lz4BlockTable
{
    private const uint FrameMagic = 0x184D2204;
    private const uint LegacyMagic = 0x184C2102;
    private const uint SkippableMagic = 0x184D2A50;
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint StoredFlag = 0x80000000;

    /// <summary>Finds the blocks of <paramref name="image"/>.</summary>
    /// <exception cref="InvalidDataException">Not an lz4 image, or one truncated or damaged in its frame or block headers.</exception>
    /// <exception cref="NotSupportedException">Linked blocks (each one needs those before it), a dictionary, or the legacy format.</exception>
    public static List<Lz4Block> Walk(IRandomAccessSource image, CancellationToken cancellationToken)
    {
        var blocks = new List<Lz4Block>();
        Span<byte> word = stackalloc byte[4];
        Span<byte> descriptor = stackalloc byte[15];
        long position = 0;
        var frames = 0;
        while (position < image.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var magic = ReadWord(image, position, word, "a frame's magic number");
            if ((magic & SkippableMagicMask) == SkippableMagic)
            {
                position += 8L + ReadWord(image, position + 4, word, "a skippable frame's size");
                continue;
            }

            if (magic == LegacyMagic)
            {
                throw new NotSupportedException("This lz4 image is in lz4's legacy format (lz4 -l); it can be restored but not opened in place.");
            }

            if (magic != FrameMagic)
            {
                throw new InvalidDataException(frames == 0
                    ? "Not an lz4 image: it does not start with an lz4 frame."
                    : $"The lz4 image is damaged at {position}: not an lz4 frame.");
            }

            position = WalkFrame(image, position + 4, descriptor, word, blocks, cancellationToken);
            frames++;
        }

        return frames > 0 ? blocks : throw new InvalidDataException("The lz4 image holds no frame.");
    }

    private static long WalkFrame(IRandomAccessSource image, long position, Span<byte> descriptor, Span<byte> word, List<Lz4Block> blocks, CancellationToken cancellationToken)
    {
        if (image.Read(position, descriptor[..2]) != 2)
        {
            throw Truncated(position);
        }

        var flags = descriptor[0];
        var hasContentSize = (flags & 0x08) != 0;
        var hasDictionary = (flags & 0x01) != 0;
        var length = 2 + (hasContentSize ? 8 : 0) + (hasDictionary ? 4 : 0);
        if (image.Read(position, descriptor[..(length + 1)]) != length + 1)
        {
            throw Truncated(position);
        }

        var sizeCode = (descriptor[1] >> 4) & 7;
        if (flags >> 6 != 1 || sizeCode < 4 || ((XxHash32.Hash(descriptor[..length]) >> 8) & 0xFF) != descriptor[length])
        {
            throw new InvalidDataException($"The lz4 image is damaged at {position}: the frame's descriptor is not valid.");
        }

        if ((flags & 0x20) == 0)
        {
            throw new NotSupportedException("This lz4 image has linked blocks (lz4 -BD: each block needs those before it); it can be restored but not opened in place.");
        }

        if (hasDictionary)
        {
            throw new NotSupportedException("This lz4 image needs a dictionary; it can be restored with it but not opened in place.");
        }

        var maxSize = 1 << (8 + (2 * sizeCode));
        var checksummed = (flags & 0x10) != 0;
        var contentChecksum = (flags & 0x04) != 0;
        position += length + 1;
        var first = blocks.Count;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var header = ReadWord(image, position, word, "a block's size");
            position += 4;
            if (header == 0)
            {
                position += contentChecksum ? 4 : 0;
                break;
            }

            var size = (int)(header & ~StoredFlag);
            if (size > maxSize)
            {
                throw new InvalidDataException($"The lz4 image is damaged at {position - 4}: a block of {size} bytes in a frame of {maxSize}-byte blocks.");
            }

            blocks.Add(new Lz4Block(position, size, (header & StoredFlag) != 0, checksummed, maxSize, LastOfFrame: false));
            position += size + (checksummed ? 4 : 0);
        }

        if (position > image.Length)
        {
            throw Truncated(image.Length);
        }

        if (blocks.Count > first)
        {
            blocks[^1] = blocks[^1] with { LastOfFrame = true };
        }

        return position;
    }

    private static uint ReadWord(IRandomAccessSource image, long position, Span<byte> word, string what) =>
        image.Read(position, word) == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(word) : throw new InvalidDataException($"The lz4 image is truncated at {image.Length}, where {what} should be.");

    private static InvalidDataException Truncated(long at) => new($"The lz4 image is truncated at {at}, inside a frame.");
}
