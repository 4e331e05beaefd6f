using System.Runtime.InteropServices;

namespace Apart.Imaging.Partclone;

/// <summary>
/// partclone's CRC32 (its <c>src/checksum.c</c>): the usual reflected polynomial 0xEDB88320 from
/// the seed 0xFFFFFFFF, but without the final inversion, so its value is the bitwise NOT of
/// zlib's <c>crc32</c> of the same bytes. Where a checksum is not reseeded, the next one carries on
/// from the last value. The header, the bitmap and the data checksums of image format 0002 all use
/// it. Computed by the system's zlib, several times faster than a table here: a mounted image's
/// every byte passes through it.
/// </summary>
internal static unsafe partial class PartcloneCrc32
{
    /// <summary>The value every checksum starts from (and restarts from, when reseeded).</summary>
    public const uint Seed = 0xFFFFFFFF;

    /// <summary>Carries <paramref name="crc"/> on over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        // zlib inverts on the way in and out; partclone does neither.
        fixed (byte* bytes = data)
        {
            return ~(uint)crc32(~crc, bytes, (uint)data.Length);
        }
    }

    /// <summary>The checksum of <paramref name="data"/> from <see cref="Seed"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(Seed, data);

    [LibraryImport("libz.so.1")]
    private static partial nuint crc32(nuint crc, byte* buffer, uint length);
}
