using System.Buffers.Binary;
using System.Numerics;

namespace Apart.Compression.Lz4;

/// <summary>xxHash32, the checksum of lz4 frames (their header, blocks and content), with seed 0.</summary>
internal static class XxHash32
{
    private const uint Prime1 = 2654435761U;
    private const uint Prime2 = 2246822519U;
    private const uint Prime3 = 3266489917U;
    private const uint Prime4 = 668265263U;
    private const uint Prime5 = 374761393U;

    public static uint Hash(ReadOnlySpan<byte> data)
    {
        var i = 0;
        uint hash;
        if (data.Length >= 16)
        {
            uint v1 = unchecked(Prime1 + Prime2), v2 = Prime2, v3 = 0, v4 = unchecked(0 - Prime1);
            for (; i <= data.Length - 16; i += 16)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt32LittleEndian(data[i..]));
                v2 = Round(v2, BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 8)..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 12)..]));
            }

            hash = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
        }
        else
        {
            hash = Prime5;
        }

        hash += (uint)data.Length;
        for (; i + 4 <= data.Length; i += 4)
        {
            hash = BitOperations.RotateLeft(hash + (BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) * Prime3), 17) * Prime4;
        }

        for (; i < data.Length; i++)
        {
            hash = BitOperations.RotateLeft(hash + (data[i] * Prime5), 11) * Prime1;
        }

        hash ^= hash >> 15;
        hash *= Prime2;
        hash ^= hash >> 13;
        hash *= Prime3;
        hash ^= hash >> 16;
        return hash;
    }

    private static uint Round(uint accumulator, uint input) =>
        BitOperations.RotateLeft(accumulator + (input * Prime2), 13) * Prime1;
}
