namespace Apart.Imaging.Partclone;

/// <summary>
/// partclone's CRC32 (its <c>src/checksum.c</c>): the usual reflected polynomial 0xEDB88320 from
/// the seed 0xFFFFFFFF, but without the final inversion, so its value is the bitwise NOT of
/// zlib's <c>crc32</c> of the same bytes. Where a checksum is not reseeded, the next one carries on
/// from the last value. The header, the bitmap and the data checksums of image format 0002 all use it.
/// </summary>
internal static class PartcloneCrc32
{
    /// <summary>The value every checksum starts from (and restarts from, when reseeded).</summary>
    public const uint Seed = 0xFFFFFFFF;

    private static readonly uint[] _table = CreateTable();

    /// <summary>Carries <paramref name="crc"/> on over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var table = _table;
        foreach (var b in data)
        {
            crc = (crc >> 8) ^ table[(byte)(crc ^ b)];
        }

        return crc;
    }

    /// <summary>The checksum of <paramref name="data"/> from <see cref="Seed"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(Seed, data);

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < table.Length; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
