using System.Buffers.Binary;
using System.Text;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// Writes partclone images (format 0002) the way partclone 0.3.23's clone does, from a device
/// held in memory, to test the reader against images with any layout: header and its CRC,
/// bit-per-block bitmap and its CRC, the used blocks with a checksum after every group.
/// </summary>
internal sealed record SyntheticImage(
    byte[] Device,
    int BlockSize,
    Func<long, bool> Used,
    uint BlocksPerChecksum = 4,
    ushort ChecksumMode = 0x20,
    bool Reseed = true,
    long? DeviceSize = null)
{
    public const int DataStartWithoutBitmap = 110;

    public long TotalBlocks => Device.Length / BlockSize;

    public byte[] Build()
    {
        var checksumSize = ChecksumMode == 0 ? 0 : 4;
        var blocksPerChecksum = ChecksumMode == 0 ? 0 : BlocksPerChecksum;
        using var image = new MemoryStream();
        var head = new byte[110];
        "partclone-image\0"u8.CopyTo(head);
        Encoding.ASCII.GetBytes("0.3.23").CopyTo(head, 16);
        "0002"u8.CopyTo(head.AsSpan(30));
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(34), 0xC0DE);
        "EXTFS"u8.CopyTo(head.AsSpan(36));
        var used = Enumerable.Range(0, (int)TotalBlocks).LongCount(b => Used(b));
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(52), (ulong)(DeviceSize ?? Device.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(60), (ulong)TotalBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(68), (ulong)used);
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(76), (ulong)used);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(84), (uint)BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(88), 18);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(92), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(94), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(96), ChecksumMode);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(98), (ushort)checksumSize);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(100), blocksPerChecksum);
        head[104] = Reseed ? (byte)1 : (byte)0;
        head[105] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(106), Crc(0xFFFFFFFF, head.AsSpan(0, 106)));
        image.Write(head);

        var bitmap = new byte[(TotalBlocks + 7) / 8];
        for (long b = 0; b < TotalBlocks; b++)
        {
            if (Used(b))
            {
                bitmap[b / 8] |= (byte)(1 << (int)(b % 8));
            }
        }

        image.Write(bitmap);
        image.Write(LittleEndian(Crc(0xFFFFFFFF, bitmap)));

        var crc = 0xFFFFFFFFu;
        var inGroup = 0;
        for (long b = 0; b < TotalBlocks; b++)
        {
            if (!Used(b))
            {
                continue;
            }

            var block = Device.AsSpan((int)(b * BlockSize), BlockSize);
            image.Write(block);
            crc = Crc(crc, block);
            if (blocksPerChecksum > 0 && ++inGroup == blocksPerChecksum)
            {
                image.Write(LittleEndian(crc));
                inGroup = 0;
                crc = Reseed ? 0xFFFFFFFF : crc;
            }
        }

        if (inGroup > 0)
        {
            image.Write(LittleEndian(crc));
        }

        return image.ToArray();
    }

    /// <summary>The device as partclone restores it: used blocks, zeros elsewhere, <see cref="DeviceSize"/> long.</summary>
    public byte[] Restored()
    {
        var restored = new byte[DeviceSize ?? Device.Length];
        for (long b = 0; b < TotalBlocks && (b + 1) * BlockSize <= restored.Length; b++)
        {
            if (Used(b))
            {
                Device.AsSpan((int)(b * BlockSize), BlockSize).CopyTo(restored.AsSpan((int)(b * BlockSize)));
            }
        }

        return restored;
    }

    /// <summary>Bit by bit, as partclone's table encodes it: reflected 0xEDB88320, no final inversion.</summary>
    public static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return crc;
    }

    private static byte[] LittleEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
