using Apart.Abstractions;

namespace Apart.Compression.Zstd;

/// <summary>The decompressed bytes of a zst image of independent frames, a chunk per frame.</summary>
internal sealed class ZstdSource : ChunkedSource
{
    private readonly IRandomAccessSource _compressed;
    private readonly IReadOnlyList<ZstdFrame> _frames;

    private ZstdSource(IRandomAccessSource compressed, IReadOnlyList<ZstdFrame> frames, long[] starts, long length, long cacheBytes)
        : base(starts, length, cacheBytes)
    {
        _compressed = compressed;
        _frames = frames;
    }

    /// <summary>Opens <paramref name="compressed"/>: its frames' headers, and its first and last frames decoded for their sizes.</summary>
    public static ZstdSource Open(IRandomAccessSource compressed, long cacheBytes, CancellationToken cancellationToken)
    {
        var frames = ZstdFrameTable.Walk(compressed, cancellationToken);
        var sizes = new long[frames.Count];
        long? equalSize = null;
        for (var i = 0; i < frames.Count; i++)
        {
            var stated = ContentSize(compressed, frames[i]);
            if (stated is { } known)
            {
                sizes[i] = known;
            }
            else if (equalSize is null || i == frames.Count - 1)
            {
                sizes[i] = Decode(compressed, frames[i], expected: null).Length;
                equalSize ??= sizes[i];
            }
            else
            {
                sizes[i] = equalSize.Value;
            }
        }

        var starts = new long[frames.Count];
        long length = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            starts[i] = length;
            length += sizes[i];
        }

        return new ZstdSource(compressed, frames, starts, length, cacheBytes);
    }

    protected override byte[] DecodeChunk(int index) => Decode(_compressed, _frames[index], ChunkLength(index));

    private static long? ContentSize(IRandomAccessSource compressed, ZstdFrame frame)
    {
        Span<byte> header = stackalloc byte[18];
        var read = compressed.Read(frame.Offset, header[..Math.Min(header.Length, frame.Size)]);
        var size = Zstd.ContentSize(header[..read]);
        return size switch
        {
            Zstd.ContentSizeUnknown => null,
            Zstd.ContentSizeError or > int.MaxValue => throw new InvalidDataException($"The zst image is damaged at {frame.Offset}: the frame's header cannot be read."),
            _ => (long)size,
        };
    }

    private static byte[] Decode(IRandomAccessSource compressed, ZstdFrame frame, long? expected)
    {
        var bytes = new byte[frame.Size];
        if (compressed.Read(frame.Offset, bytes) != bytes.Length)
        {
            throw new InvalidDataException($"The zst image is truncated inside the frame at {frame.Offset}.");
        }

        var capacity = expected ?? (long)Math.Min(Zstd.Bound(bytes), int.MaxValue);
        var output = new byte[capacity];
        int length;
        try
        {
            length = Zstd.Decompress(bytes, output);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The zst image is damaged in the frame at {frame.Offset}: {e.Message}", e);
        }

        if (length != output.Length)
        {
            if (expected is not null)
            {
                throw new InvalidDataException($"The zst image is damaged in the frame at {frame.Offset}: it holds {length} bytes, not the {expected} its neighbours hold.");
            }

            Array.Resize(ref output, length);
        }

        return output;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _compressed.Dispose();
        }
    }
}
