using System.Buffers.Binary;
using System.Text;

namespace Apart.Imaging.Partclone;

/// <summary>
/// The start of a partclone image, as partclone's <c>src/partclone.h</c> lays it out (packed,
/// no alignment). Image format 0002 (partclone 0.2.x and later):
/// <c>magic[16]</c> "partclone-image\0" at 0, <c>ptc_version[14]</c> at 16, <c>version[4]</c> "0002"
/// at 30, <c>endianess</c> u16 0xC0DE at 34, <c>fs[16]</c> at 36, <c>device_size</c> u64 at 52.
/// Format 0001 (older partclone): <c>magic[15]</c> "partclone-image" at 0, <c>fs[15]</c> at 15,
/// <c>version[4]</c> "0001" at 30, 2 bytes of padding, <c>block_size</c> i32 at 36,
/// <c>device_size</c> u64 at 40, in the writer's (in practice x86, little-endian) byte order.
/// </summary>
/// <param name="ImageVersion">The image format, <c>0001</c> or <c>0002</c>.</param>
/// <param name="FileSystem">partclone's name for the filesystem: <c>EXTFS</c>, <c>FAT</c>, <c>NTFS</c>, <c>raw</c>…</param>
/// <param name="DeviceSize">The size in bytes of the device the image was made from.</param>
public sealed record PartcloneImageHeader(string ImageVersion, string FileSystem, long DeviceSize)
{
    /// <summary>How many leading bytes <see cref="TryRead"/> needs for either format.</summary>
    public const int Length = V2DeviceSizeOffset + sizeof(ulong);

    private const int VersionOffset = 30;
    private const int VersionLength = 4;

    private const int V2EndianOffset = 34;
    private const int V2FsOffset = 36;
    private const int V2FsLength = 16;
    private const int V2DeviceSizeOffset = 52;

    private const int V1FsOffset = 15;
    private const int V1FsLength = 15;
    private const int V1DeviceSizeOffset = 40;

    private static ReadOnlySpan<byte> Magic => "partclone-image"u8;

    /// <summary>
    /// Whether a format 0002 image was written on a big-endian machine (its numbers are in that
    /// order); partclone restores such an image only on a machine like it.
    /// </summary>
    public bool BigEndian { get; init; }

    /// <summary>
    /// Reads the header at the start of <paramref name="head"/>; null when it is too short or is
    /// not a partclone image (raw <c>dd</c> images, other data).
    /// </summary>
    public static PartcloneImageHeader? TryRead(ReadOnlySpan<byte> head)
    {
        if (head.Length < V1DeviceSizeOffset + sizeof(ulong) || !head.StartsWith(Magic))
        {
            return null;
        }

        var version = head.Slice(VersionOffset, VersionLength);
        if (version.SequenceEqual("0002"u8))
        {
            return ReadV2(head);
        }

        if (version.SequenceEqual("0001"u8))
        {
            var deviceSize = BinaryPrimitives.ReadUInt64LittleEndian(head[V1DeviceSizeOffset..]);
            return Create("0001", head.Slice(V1FsOffset, V1FsLength), deviceSize);
        }

        return null;
    }

    private static PartcloneImageHeader? ReadV2(ReadOnlySpan<byte> head)
    {
        // v2's magic carries its terminating NUL; a v1 header has fs[0] there instead.
        if (head.Length < Length || head[Magic.Length] != 0)
        {
            return null;
        }

        // 0xC0DE written in the writer's byte order: DE C0 from a little-endian machine.
        var endian = head.Slice(V2EndianOffset, sizeof(ushort));
        var sizeBytes = head.Slice(V2DeviceSizeOffset, sizeof(ulong));
        ulong deviceSize;
        bool bigEndian;
        if (endian.SequenceEqual((ReadOnlySpan<byte>)[0xDE, 0xC0]))
        {
            deviceSize = BinaryPrimitives.ReadUInt64LittleEndian(sizeBytes);
            bigEndian = false;
        }
        else if (endian.SequenceEqual((ReadOnlySpan<byte>)[0xC0, 0xDE]))
        {
            deviceSize = BinaryPrimitives.ReadUInt64BigEndian(sizeBytes);
            bigEndian = true;
        }
        else
        {
            return null;
        }

        return Create("0002", head.Slice(V2FsOffset, V2FsLength), deviceSize) is { } header
            ? header with { BigEndian = bigEndian }
            : null;
    }

    private static PartcloneImageHeader? Create(string version, ReadOnlySpan<byte> fsField, ulong deviceSize)
    {
        var end = fsField.IndexOf((byte)0);
        var fs = end < 0 ? fsField : fsField[..end];

        // partclone writes a short ASCII name here; anything else means we are not reading a header.
        if (deviceSize > long.MaxValue || fs.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
        {
            return null;
        }

        return new PartcloneImageHeader(version, Encoding.ASCII.GetString(fs), (long)deviceSize);
    }
}
