using System.Buffers.Binary;
using Apart.Abstractions;

namespace Apart.Compression.Lz4;

/// <summary>
/// The decompressed bytes of an lz4 image of independent blocks, a chunk per block. Every block
/// but a frame's last holds the frame's block size (lz4 fills them); opening decodes each frame's
/// last block for its size, and every other block is checked to hold exactly that when decoded.
/// </summary>
internal sealed class Lz4Source : ChunkedSource
{
    private readonly IRandomAccessSource _compressed;
    private readonly IReadOnlyList<Lz4Block> _blocks;

    private Lz4Source(IRandomAccessSource compressed, IReadOnlyList<Lz4Block> blocks, long[] starts, long length, long cacheBytes)
        : base(starts, length, cacheBytes)
    {
        _compressed = compressed;
        _blocks = blocks;
    }

    public static Lz4Source Open(IRandomAccessSource compressed, long cacheBytes, CancellationToken cancellationToken)
    {
        var blocks = Lz4BlockTable.Walk(compressed, cancellationToken);
        var starts = new long[blocks.Count];
        long length = 0;
        for (var i = 0; i < blocks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            starts[i] = length;
            var block = blocks[i];
            length += block.Stored ? block.Size
                : block.LastOfFrame ? Decode(compressed, block, expected: null).Length
                : block.MaxSize;
        }

        return new Lz4Source(compressed, blocks, starts, length, cacheBytes);
    }

    protected override byte[] DecodeChunk(int index) => Decode(_compressed, _blocks[index], ChunkLength(index));

    private static byte[] Decode(IRandomAccessSource compressed, Lz4Block block, long? expected)
    {
        var stored = new byte[block.Size + (block.Checksummed ? 4 : 0)];
        if (compressed.Read(block.Offset, stored) != stored.Length)
        {
            throw new InvalidDataException($"The lz4 image is truncated inside the block at {block.Offset}.");
        }

        var data = stored.AsSpan(0, block.Size);
        if (block.Checksummed && XxHash32.Hash(data) != BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(block.Size)))
        {
            throw new InvalidDataException($"The lz4 image is damaged in the block at {block.Offset}: its checksum does not match.");
        }

        if (block.Stored)
        {
            return data.ToArray();
        }

        var output = new byte[expected ?? block.MaxSize];
        var length = Lz4.Decompress(data, output);
        if (length < 0 || (expected is not null && length != expected))
        {
            throw new InvalidDataException(length < 0
                ? $"The lz4 image is damaged in the block at {block.Offset}: it cannot be decoded."
                : $"The lz4 image is damaged in the block at {block.Offset}: it holds {length} bytes, not the frame's {expected}.");
        }

        return length == output.Length ? output : output.AsSpan(0, length).ToArray();
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
