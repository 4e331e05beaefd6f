using System.Security.Cryptography;
using Apart.Abstractions;
using Apart.Testing;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// Images of real filesystems made by the real partclone, served by <see cref="PartcloneImager.OpenDevice"/>
/// and mounted with <see cref="PartcloneImager.Mount"/> from a read-only loop device over the served bytes.
/// </summary>
public sealed class RealImageReaderTests
{
    private readonly PartcloneImager _imager = new(new PartcloneLocator());

    public static TheoryData<string, string, long, string[]> Filesystems => new()
    {
        { "ext4", "mkfs.ext4", 64L << 20, ["-q", "-F"] },
        { "xfs", "mkfs.xfs", 320L << 20, ["-q", "-f"] },
        { "btrfs", "mkfs.btrfs", 320L << 20, ["-q", "-f"] },
        { "ntfs", "mkntfs", 64L << 20, ["-q", "-F", "-f"] },
        { "exfat", "mkfs.exfat", 64L << 20, [] },
    };

    [RealPartcloneTheory]
    [MemberData(nameof(Filesystems))]
    public async Task A_real_image_serves_its_device_and_mounts_with_the_same_files(string variant, string mkfs, long size, string[] mkfsOptions)
    {
        using var work = new TemporaryDirectory();
        using var source = LoopDevice.Create(size);
        Programs.Run(mkfs, [.. mkfsOptions, source.Path]);
        var files = WriteFiles(variant, source.Path, work.Sub("source"));
        var image = work.File("image");
        Programs.Run(_imager.Clone(variant, new DeviceExtent(source.Path, size)).Command.Program, "-c", "-s", source.Path, "-o", image, "-q");

        await CheckServedAsync(variant, image, source.Path, files, work);
    }

    [RealPartcloneTheory]
    [InlineData("-k", "3")]
    [InlineData("-k", "7", "-K")]
    [InlineData("-k", "1")]
    [InlineData("-a", "0")]
    public async Task Every_checksum_layout_partclone_writes_is_served(params string[] options)
    {
        const long size = 64L << 20;
        using var work = new TemporaryDirectory();
        using var source = LoopDevice.Create(size);
        Programs.Run("mkfs.ext4", "-q", "-F", source.Path);
        var files = WriteFiles("ext4", source.Path, work.Sub("source"));
        var image = work.File("image");
        Programs.Run("/usr/sbin/partclone.ext4", ["-c", "-s", source.Path, "-o", image, "-q", .. options]);

        await CheckServedAsync("ext4", image, source.Path, files, work);
    }

    [RealPartcloneFact(NeedsLoopDevices = true)]
    public void A_corrupted_block_in_a_real_image_fails_the_read_that_checks_it()
    {
        const long size = 32L << 20;
        using var work = new TemporaryDirectory();
        using var source = LoopDevice.Create(size);
        Programs.Run("mkfs.ext4", "-q", "-F", source.Path);
        var image = work.File("image");
        Programs.Run("/usr/sbin/partclone.ext4", "-c", "-s", source.Path, "-o", image, "-q", "-k", "4");
        using (var file = File.Open(image, FileMode.Open, FileAccess.ReadWrite))
        {
            // Well inside the data: 32 MiB of 1 KiB blocks make a 4 KiB bitmap.
            file.Position = 110 + 4096 + 4 + 100_000;
            var b = new byte[1];
            file.ReadExactly(b);
            file.Position--;
            file.Write([(byte)~b[0]]);
        }

        using var device = _imager.OpenDevice("ext4", new FileSource(image));
        var all = new byte[device.Length];
        Assert.Throws<InvalidDataException>(() => device.Read(0, all));

        // The blocks before it still read, checked.
        Assert.Equal(64 * 1024, device.Read(0, all.AsSpan(0, 64 * 1024)));
    }

    private async Task CheckServedAsync(string variant, string image, string sourceDevice, Dictionary<string, byte[]> files, TemporaryDirectory work)
    {
        var imageHash = SHA256.HashData(File.ReadAllBytes(image));
        var served = work.File("served");
        using (var device = _imager.OpenDevice(variant, new FileSource(image)))
        {
            var original = await File.ReadAllBytesAsync(sourceDevice);
            Assert.Equal(original.Length, device.Length);
            var bytes = new byte[device.Length];
            for (long at = 0; at < bytes.Length;)
            {
                at += device.Read(at, bytes.AsSpan((int)at, (int)Math.Min(4 << 20, bytes.Length - at)));
            }

            var description = Description(image);
            var blockSize = description.BlockSize;
            var used = new bool[description.TotalBlocks];
            ((PartcloneDeviceSource)device).Map.Read(0, used);
            for (var b = 0; b < used.Length; b++)
            {
                var block = bytes.AsSpan(b * blockSize, blockSize);
                Assert.True(used[b] ? block.SequenceEqual(original.AsSpan(b * blockSize, blockSize)) : !block.ContainsAnyExcept((byte)0), $"block {b} (used: {used[b]})");
            }

            await File.WriteAllBytesAsync(served, bytes);
        }

        var loop = Programs.Run("losetup", "--find", "--show", "--read-only", served).Trim();
        try
        {
            var mountPoint = work.Sub("mounted");
            var mount = _imager.Mount(variant, loop, mountPoint);
            Programs.Run(mount.Program, [.. mount.Arguments]);
            try
            {
                Assert.Contains(" ro,", Programs.Run("findmnt", "-n", "-o", "FSTYPE,OPTIONS", mountPoint).Replace("\t", " "));
                foreach (var (name, content) in files)
                {
                    Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(mountPoint, name)));
                }
            }
            finally
            {
                Programs.Run("umount", mountPoint);
            }
        }
        finally
        {
            Programs.Run("losetup", "--detach", loop);
        }

        Assert.Equal(imageHash, SHA256.HashData(File.ReadAllBytes(image)));
    }

    private static PartcloneImageDescription Description(string image)
    {
        var head = new byte[PartcloneImageDescription.Length];
        using var file = File.OpenRead(image);
        file.ReadExactly(head);
        return PartcloneImageDescription.Read(head);
    }

    // Mounts the new filesystem read-write for a moment (ntfs and exfat through FUSE) and writes files of
    // several sizes, one larger than a checksum group, into it.
    private static Dictionary<string, byte[]> WriteFiles(string variant, string device, string mountPoint)
    {
        if (variant == "ntfs")
        {
            Programs.Run("ntfs-3g", device, mountPoint);
        }
        else if (variant == "exfat")
        {
            Programs.Run("mount.exfat-fuse", device, mountPoint);
        }
        else
        {
            Programs.Run("mount", device, mountPoint);
        }

        var files = new Dictionary<string, byte[]>();
        try
        {
            var random = new Random(variant.Length);
            Directory.CreateDirectory(Path.Combine(mountPoint, "dir"));
            foreach (var (name, length) in new[] { ("small.txt", 13), ("dir/block.bin", 4096), ("dir/big.bin", 5 << 20), ("odd.bin", 123_457) })
            {
                var content = new byte[length];
                random.NextBytes(content);
                File.WriteAllBytes(Path.Combine(mountPoint, name), content);
                files[name] = content;
            }
        }
        finally
        {
            Programs.Run("umount", mountPoint);
        }

        return files;
    }
}
