namespace Apart.Imaging.Partclone.Tests;

public sealed class VariantTests : IDisposable
{
    // Roughly what Debian 12's partclone package installs, plus a tool this plugin has no entry for.
    private readonly StandInDirectory _standIns = new(
        "dd", "chkimg", "info", "restore", "imager", "ext2", "ext3", "ext4", "ext4dev", "extfs",
        "vfat", "fat", "fat12", "fat16", "fat32", "ntfs", "xfs", "btrfs", "exfat", "f2fs",
        "hfsplus", "hfsp", "apfs", "minix", "reiser4", "zfs");

    private readonly PartcloneImager _imager;

    public VariantTests()
    {
        _standIns.Add("jfs", executable: false);
        _imager = new PartcloneImager(new PartcloneLocator(_standIns.Prefix));
    }

    public void Dispose() => _standIns.Dispose();

    [Theory]
    [InlineData("ext2", "ext2")]
    [InlineData("ext3", "ext3")]
    [InlineData("ext4", "ext4")]
    [InlineData("ext4dev", "ext4dev")]
    [InlineData("EXT4", "ext4")]
    [InlineData(" ext4 ", "ext4")]
    [InlineData("vfat", "vfat")]
    [InlineData("fat", "vfat")]
    [InlineData("fat12", "vfat")]
    [InlineData("fat16", "vfat")]
    [InlineData("fat32", "vfat")]
    [InlineData("msdos", "vfat")]
    [InlineData("exfat", "exfat")]
    [InlineData("ntfs", "ntfs")]
    [InlineData("xfs", "xfs")]
    [InlineData("btrfs", "btrfs")]
    [InlineData("f2fs", "f2fs")]
    [InlineData("hfsplus", "hfsplus")]
    [InlineData("apfs", "apfs")]
    [InlineData("minix", "minix")]
    [InlineData("reiser4", "reiser4")]
    [InlineData("zfs", "zfs")]
    public void A_filesystem_with_a_tool_gets_its_variant(string fsType, string variant) =>
        Assert.Equal(variant, _imager.FormatFor(fsType));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("hfs")]
    [InlineData("nilfs2")]
    [InlineData("reiserfs")]
    [InlineData("jfs")]
    [InlineData("ufs")]
    [InlineData("vmfs")]
    [InlineData("swap")]
    [InlineData("jbd")]
    [InlineData("LVM2_member")]
    [InlineData("crypto_LUKS")]
    [InlineData("linux_raid_member")]
    [InlineData("iso9660")]
    [InlineData("squashfs")]
    [InlineData("dd")]
    [InlineData("chkimg")]
    [InlineData("info")]
    [InlineData("restore")]
    [InlineData("imager")]
    [InlineData("../../bin/sh")]
    [InlineData("ext4.x")]
    public void Anything_else_is_imaged_raw(string? fsType) =>
        Assert.Equal("dd", _imager.FormatFor(fsType));

    [Theory]
    [InlineData("ext4", "extfs")]
    [InlineData("ext4dev", "extfs")]
    [InlineData("ext2", "extfs")]
    [InlineData("vfat", "fat")]
    [InlineData("fat32", "fat")]
    [InlineData("hfsplus", "hfsp")]
    [InlineData("ntfs", "dd")]
    public void Without_the_usual_link_the_same_program_under_its_own_name_is_used(string fsType, string variant)
    {
        using var standIns = new StandInDirectory("dd", "extfs", "fat", "hfsp");
        var imager = new PartcloneImager(new PartcloneLocator(standIns.Prefix));

        Assert.Equal(variant, imager.FormatFor(fsType));
    }

    [Fact]
    public void Ext4dev_falls_back_to_ext4_before_extfs()
    {
        using var standIns = new StandInDirectory("dd", "ext4", "extfs");

        Assert.Equal("ext4", new PartcloneImager(new PartcloneLocator(standIns.Prefix)).FormatFor("ext4dev"));
    }

    [Theory]
    [InlineData("ext4", true)]
    [InlineData("dd", true)]
    [InlineData("vfat", true)]
    [InlineData("hfsplus", true)]
    [InlineData("zfs", true)]
    [InlineData("nilfs2", false)]
    [InlineData("jfs", false)]
    [InlineData("chkimg", false)]
    [InlineData("info", false)]
    [InlineData("restore", false)]
    [InlineData("imager", false)]
    [InlineData("EXT4", false)]
    [InlineData("hfs+", false)]
    [InlineData("ext4.gz", false)]
    [InlineData("../pcl.ext4", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void A_format_is_readable_when_an_executable_imaging_tool_has_its_name(string variant, bool expected) =>
        Assert.Equal(expected, _imager.CannotRead(variant) is null);

    [Fact]
    public void A_device_holding_nothing_known_is_imaged_raw_as_dd() => Assert.Equal("dd", _imager.FormatFor(null));

    [Fact]
    public void Every_chosen_variant_is_a_stable_image_name_part()
    {
        string[] fsTypes = ["ext2", "ext3", "ext4", "ext4dev", "vfat", "fat32", "msdos", "ntfs", "xfs", "btrfs",
            "exfat", "f2fs", "hfsplus", "hfs", "apfs", "minix", "reiser4", "swap", "zfs", "LVM2_member"];

        foreach (var fsType in fsTypes)
        {
            var variant = _imager.FormatFor(fsType);
            Assert.Matches("^[a-z0-9]+$", variant);
            Assert.True(_imager.CannotRead(variant) is null, $"{fsType} -> {variant} is not restorable");
            Assert.Equal(variant, _imager.FormatFor(fsType));
        }
    }
}
