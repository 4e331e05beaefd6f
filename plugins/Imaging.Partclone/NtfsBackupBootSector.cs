using System.Buffers.Binary;

namespace Apart.Imaging.Partclone;

/// <summary>
/// NTFS keeps a copy of its boot sector in the sector just after the volume, which on a partition
/// made for it is the partition's last sector. partclone does not image that sector (partclone
/// issue #69), so a restored volume lacks it and ntfsfix, chkdsk and ntfs-3g's checks call the
/// volume damaged. Writing the boot sector there, as ntfsclone does, makes it whole again; on a
/// larger partition it also goes to the partition's last sector, where those checks look for it
/// (even a byte-exact copy onto a larger partition fails them otherwise).
/// </summary>
internal static class NtfsBackupBootSector
{
    private const int SectorSizeOffset = 0x0B;
    private const int SectorCountOffset = 0x28;
    private static readonly byte[] Signature = "NTFS    "u8.ToArray();

    /// <summary>
    /// Writes the boot sector of the NTFS volume at the start of <paramref name="device"/> to the
    /// sector after the volume and to the device's last sector. Does nothing when the device does
    /// not start with an NTFS boot sector or has no room after the volume.
    /// </summary>
    public static void Write(Stream device, long deviceSize)
    {
        var boot = new byte[512];
        device.Position = 0;
        device.ReadExactly(boot);
        if (!boot.AsSpan(3, Signature.Length).SequenceEqual(Signature))
        {
            return;
        }

        var sectorSize = BinaryPrimitives.ReadUInt16LittleEndian(boot.AsSpan(SectorSizeOffset));
        var sectors = BinaryPrimitives.ReadUInt64LittleEndian(boot.AsSpan(SectorCountOffset));
        if (sectorSize is < 256 or > 4096 || (sectorSize & (sectorSize - 1)) != 0 || sectors > long.MaxValue / 4096)
        {
            return;
        }

        var backup = (long)sectors * sectorSize;
        if (backup + sectorSize > deviceSize)
        {
            return;
        }

        var sector = new byte[sectorSize];
        device.Position = 0;
        device.ReadExactly(sector);
        var lastSector = (deviceSize / sectorSize - 1) * sectorSize;
        foreach (var offset in new[] { backup, lastSector }.Distinct())
        {
            device.Position = offset;
            device.Write(sector);
        }

        device.Flush();
    }
}
