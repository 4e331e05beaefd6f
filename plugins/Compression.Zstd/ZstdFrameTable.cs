using System.Buffers.Binary;
using Apart.Abstractions;

namespace Apart.Compression.Zstd;

/// <summary>
/// The frames of a zst image as pzstd writes it: each frame announced by a 12-byte skippable
/// frame holding its compressed size, so the frames are found by reading headers only.
/// </summary>
/// <remarks>
/// pzstd's frames do not state their decompressed size; it cuts its input into equal pieces, so
/// every frame but the last holds as much as the first. Opening decodes the first and the last
/// frame to learn those two sizes; every other frame is checked to hold exactly that when it is
/// decoded, and is reported damaged if it does not.
/// </remarks>
internal static class ZstdFrameTable
{
    /// <summary>A zstd frame's magic number.</summary>
    public const uint FrameMagic = 0xFD2FB528;

    /// <summary>The skippable frame pzstd puts before each frame: this magic, length 4, the frame's size.</summary>
    private const uint PzstdMagic = 0x184D2A50;
    private const uint SkippableMagicMask = 0xFFFFFFF0;

    /// <summary>Finds the frames of <paramref name="image"/>.</summary>
    /// <exception cref="InvalidDataException">Not a zst image, or one truncated or damaged where its frames are announced.</exception>
    /// <exception cref="NotSupportedException">An image of one frame, written by <c>zstd</c> rather than <c>pzstd</c>.</exception>
    public static List<ZstdFrame> Walk(IRandomAccessSource image, CancellationToken cancellationToken)
    {
        var frames = new List<ZstdFrame>();
        Span<byte> header = stackalloc byte[12];
        Span<byte> frameMagic = stackalloc byte[4];
        long position = 0;
        while (position < image.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = image.Read(position, header);
            if (read < 8)
            {
                throw new InvalidDataException($"The zst image is truncated: {read} stray bytes at {position}.");
            }

            var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (magic == PzstdMagic && length == 4)
            {
                if (read < 12)
                {
                    throw new InvalidDataException($"The zst image is truncated at {position}, inside a frame's announcement.");
                }

                var size = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
                var start = position + 12;
                if (size > int.MaxValue || start + size > image.Length)
                {
                    throw new InvalidDataException($"The zst image is truncated: the frame at {start} is announced as {size} bytes, past the image's end at {image.Length}.");
                }

                if (image.Read(start, frameMagic) != 4 || BinaryPrimitives.ReadUInt32LittleEndian(frameMagic) != FrameMagic)
                {
                    throw new InvalidDataException($"The zst image is damaged at {start}: no zstd frame where one is announced.");
                }

                frames.Add(new ZstdFrame(start, (int)size));
                position = start + size;
            }
            else if ((magic & SkippableMagicMask) == (PzstdMagic & SkippableMagicMask))
            {
                position += 8L + length;
            }
            else if (magic == FrameMagic)
            {
                throw frames.Count == 0
                    ? new NotSupportedException(ZstdRandomAccessCodec.OneFrameMessage)
                    : new InvalidDataException($"The zst image is damaged at {position}: a frame without the announcement pzstd writes.");
            }
            else
            {
                throw new InvalidDataException(frames.Count == 0
                    ? "Not a zst image: it does not start with a zstd frame."
                    : $"The zst image is damaged at {position}: neither a frame nor its announcement.");
            }
        }

        return frames.Count > 0 ? frames : throw new InvalidDataException("The zst image holds no frame.");
    }
}
