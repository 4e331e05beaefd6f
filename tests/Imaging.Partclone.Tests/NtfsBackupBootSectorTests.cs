using Apart.Abstractions;
using System.Buffers.Binary;

namespace Apart.Imaging.Partclone.Tests;

public sealed class NtfsBackupBootSectorTests
{
    private const int Sector = 512;

    private static MemoryStream Device(int sectors, ulong volumeSectors, string oem = "NTFS    ")
    {
        var bytes = new byte[sectors * Sector];
        bytes[0] = 0xEB;
        "R\u0090"u8.CopyTo(bytes.AsSpan(1));
        System.Text.Encoding.ASCII.GetBytes(oem).CopyTo(bytes.AsSpan(3));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(0x0B), Sector);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0x28), volumeSectors);
        bytes[510] = 0x55;
        bytes[511] = 0xAA;
        return new MemoryStream(bytes);
    }

    [Fact]
    public void Writes_the_boot_sector_to_the_sector_after_the_volume()
    {
        using var device = Device(2048, 2047);

        NtfsBackupBootSector.Write(device, device.Length);

        var bytes = device.ToArray();
        Assert.Equal(bytes.AsSpan(0, Sector).ToArray(), bytes.AsSpan(2047 * Sector, Sector).ToArray());
    }

    [Fact]
    public void On_a_larger_device_writes_it_after_the_volume_and_at_the_device_end()
    {
        using var device = Device(4096, 2047);

        NtfsBackupBootSector.Write(device, device.Length);

        var bytes = device.ToArray();
        Assert.Equal(bytes.AsSpan(0, Sector).ToArray(), bytes.AsSpan(2047 * Sector, Sector).ToArray());
        Assert.Equal(bytes.AsSpan(0, Sector).ToArray(), bytes.AsSpan(4095 * Sector, Sector).ToArray());
        Assert.All(bytes.AsSpan(2048 * Sector, 2047 * Sector).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Leaves_a_device_that_is_not_ntfs_alone()
    {
        using var device = Device(2048, 2047, oem: "EXFAT   ");
        var before = device.ToArray();

        NtfsBackupBootSector.Write(device, device.Length);

        Assert.Equal(before, device.ToArray());
    }

    [Fact]
    public void Never_writes_past_the_device()
    {
        using var device = Device(2048, 2048);
        var before = device.ToArray();

        NtfsBackupBootSector.Write(device, device.Length);

        Assert.Equal(before, device.ToArray());
    }

    [Fact]
    public async Task Only_a_restored_ntfs_device_is_completed()
    {
        using var device = Device(2048, 2047);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, device.ToArray());
            var imager = new PartcloneImager(new PartcloneLocator("/nonexistent/partclone"));
            var extent = new DeviceExtent(path, device.Length);

            await imager.CompleteRestoreAsync("exfat", extent);
            Assert.All((await File.ReadAllBytesAsync(path)).AsSpan(2047 * Sector).ToArray(), b => Assert.Equal(0, b));

            await imager.CompleteRestoreAsync("ntfs", extent);
            Assert.Equal(0xEB, (await File.ReadAllBytesAsync(path))[2047 * Sector]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
