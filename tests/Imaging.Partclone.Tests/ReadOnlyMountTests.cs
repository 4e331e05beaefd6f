namespace Apart.Imaging.Partclone.Tests;

/// <summary>The read-only mount command of each filesystem: nothing that writes, never device files, setuid or executables.</summary>
public sealed class ReadOnlyMountTests
{
    private readonly PartcloneImager _imager = new(new PartcloneLocator("/x/pcl"));

    private static bool KernelLists(string type) =>
        File.ReadLines("/proc/filesystems").Any(line => line.Split('\t').Last().Trim() == type);

    [Theory]
    [InlineData("ext4", "ext4", "ro,nodev,nosuid,noexec,noload")]
    [InlineData("ext2", "ext4", "ro,nodev,nosuid,noexec,noload")]
    [InlineData("extfs", "ext4", "ro,nodev,nosuid,noexec,noload")]
    [InlineData("xfs", "xfs", "ro,nodev,nosuid,noexec,norecovery")]
    [InlineData("btrfs", "btrfs", "ro,nodev,nosuid,noexec,rescue=nologreplay")]
    public void Kernel_filesystems_mount_read_only_without_replaying_anything(string variant, string type, string options)
    {
        if (!KernelLists(type))
        {
            Assert.Throws<NotSupportedException>(() => _imager.Mount(variant, "/dev/loop9", "/mnt/x"));
            return;
        }

        var command = _imager.Mount(variant, "/dev/loop9", "/mnt/x");

        Assert.EndsWith("/mount", command.Program);
        Assert.Equal(["-t", type, "-o", options, "/dev/loop9", "/mnt/x"], command.Arguments);
    }

    [Fact]
    public void Ntfs_mounts_with_ntfs_3g_read_only()
    {
        var command = _imager.Mount("ntfs", "/dev/loop9", "/mnt/x");

        Assert.EndsWith("/ntfs-3g", command.Program);
        Assert.Equal(["-o", "ro,nodev,nosuid,noexec", "/dev/loop9", "/mnt/x"], command.Arguments);
    }

    [Fact]
    public void Exfat_mounts_with_exfat_fuse_and_no_execute_bits_as_it_drops_noexec()
    {
        var command = _imager.Mount("exfat", "/dev/loop9", "/mnt/x");

        Assert.Contains("exfat-fuse", command.Program);
        Assert.Equal(["-o", "ro,nodev,nosuid,noexec,fmask=0111", "/dev/loop9", "/mnt/x"], command.Arguments);
    }

    [Fact]
    public void Fat_needs_the_kernels_vfat_and_says_so_when_it_is_missing()
    {
        if (KernelLists("vfat"))
        {
            Assert.Equal("vfat", _imager.Mount("vfat", "/dev/loop9", "/mnt/x").Arguments[1]);
            return;
        }

        var modules = Path.Combine("/lib/modules", File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), "modules.dep");
        if (File.Exists(modules) && File.ReadAllText(modules).Contains("/vfat.ko", StringComparison.Ordinal))
        {
            Assert.Equal("vfat", _imager.Mount("vfat", "/dev/loop9", "/mnt/x").Arguments[1]);
            return;
        }

        var error = Assert.Throws<NotSupportedException>(() => _imager.Mount("vfat", "/dev/loop9", "/mnt/x"));
        Assert.Contains("no vfat driver", error.Message);
    }

    [Fact]
    public void A_filesystem_without_a_known_read_only_mount_is_refused()
    {
        var error = Assert.Throws<NotSupportedException>(() => _imager.Mount("hfsplus", "/dev/loop9", "/mnt/x"));

        Assert.Contains("hfsplus", error.Message);
    }

    [Fact]
    public void A_format_that_is_not_a_variant_is_refused() =>
        Assert.Throws<ArgumentException>(() => _imager.Mount("../../bin/sh", "/dev/loop9", "/mnt/x"));
}
