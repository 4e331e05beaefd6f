namespace Apart.Imaging.Partclone.Tests;

public sealed class CommandTests
{
    private readonly PartcloneImager _imager = new(new PartcloneLocator("/opt/pcl/partclone"));

    [Fact]
    public void Clone_is_variant_tool_with_c_and_s()
    {
        var command = _imager.CloneCommand("ext4", "/dev/sda1");

        Assert.Equal("/opt/pcl/partclone.ext4", command.Program);
        Assert.Equal(["-c", "-s", "/dev/sda1"], command.Arguments);
    }

    [Fact]
    public void Clone_raw_is_dd_with_s_only()
    {
        var command = _imager.CloneCommand("dd", "/dev/mapper/vg-root");

        Assert.Equal("/opt/pcl/partclone.dd", command.Program);
        Assert.Equal(["-s", "/dev/mapper/vg-root"], command.Arguments);
    }

    [Fact]
    public void Restore_is_variant_tool_with_r_and_o()
    {
        var command = _imager.RestoreCommand("vfat", "/dev/sdb1");

        Assert.Equal("/opt/pcl/partclone.vfat", command.Program);
        Assert.Equal(["-r", "-o", "/dev/sdb1"], command.Arguments);
    }

    [Fact]
    public void Restore_raw_is_dd_with_o_only()
    {
        var command = _imager.RestoreCommand("dd", "/dev/nvme0n1p2");

        Assert.Equal("/opt/pcl/partclone.dd", command.Program);
        Assert.Equal(["-o", "/dev/nvme0n1p2"], command.Arguments);
    }

    [Theory]
    [InlineData("ext4")]
    [InlineData("ntfs")]
    [InlineData("vfat")]
    public void Check_is_chkimg_reading_stdin_whatever_the_variant(string variant)
    {
        var command = _imager.CheckCommand(variant);

        Assert.NotNull(command);
        Assert.Equal("/opt/pcl/partclone.chkimg", command.Program);
        Assert.Equal(["-s", "-"], command.Arguments);
    }

    [Fact]
    public void Check_raw_is_null() => Assert.Null(_imager.CheckCommand("dd"));

    [Fact]
    public void A_device_path_with_spaces_stays_one_argument()
    {
        var command = _imager.CloneCommand("ext4", "/dev/disk/by-label/My Disk");

        Assert.Equal(["-c", "-s", "/dev/disk/by-label/My Disk"], command.Arguments);
    }

    [Theory]
    [InlineData("../../bin/sh")]
    [InlineData("EXT4")]
    [InlineData("ext4.gz")]
    [InlineData("chkimg")]
    [InlineData("info")]
    [InlineData("")]
    public void A_name_that_is_not_a_variant_is_refused(string variant)
    {
        Assert.ThrowsAny<ArgumentException>(() => _imager.CloneCommand(variant, "/dev/sda1"));
        Assert.ThrowsAny<ArgumentException>(() => _imager.RestoreCommand(variant, "/dev/sda1"));
        Assert.ThrowsAny<ArgumentException>(() => _imager.CheckCommand(variant));
    }

    [Fact]
    public void An_empty_device_is_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => _imager.CloneCommand("ext4", ""));
        Assert.ThrowsAny<ArgumentException>(() => _imager.RestoreCommand("dd", " "));
    }

    [Fact]
    public void Without_any_partclone_the_bare_name_is_used()
    {
        using var empty = new StandInDirectory();
        var imager = new PartcloneImager(new PartcloneLocator(null, [empty.Path]));

        var command = imager.CloneCommand("ext4", "/dev/sda1");

        Assert.Equal("partclone.ext4", command.Program);
        Assert.Equal(["-c", "-s", "/dev/sda1"], command.Arguments);
        Assert.False(imager.HasVariant("dd"));
        Assert.Equal("dd", imager.ChooseVariant("ext4"));
    }
}
