using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

public sealed class CommandTests
{
    private readonly PartcloneImager _imager = new(new PartcloneLocator("/opt/pcl/partclone"));

    private CommandLine Clone(string format, string device) => _imager.Clone(format, new DeviceExtent(device, 1 << 20)).Command;

    private CommandLine Restore(string format, string device) => _imager.Restore(format, new DeviceExtent(device, 1 << 20)).Command;

    private CommandLine? Check(string format) => (_imager.Check(format) as ImageCheck.Program)?.Command.Command;

    [Fact]
    public void Clone_is_variant_tool_with_c_and_s()
    {
        var command = Clone("ext4", "/dev/sda1");

        Assert.Equal("/opt/pcl/partclone.ext4", command.Program);
        Assert.Equal(["-c", "-s", "/dev/sda1"], command.Arguments);
    }

    [Fact]
    public void Clone_raw_is_dd_with_s_only()
    {
        var command = Clone("dd", "/dev/mapper/vg-root");

        Assert.Equal("/opt/pcl/partclone.dd", command.Program);
        Assert.Equal(["-s", "/dev/mapper/vg-root"], command.Arguments);
    }

    [Fact]
    public void Restore_is_variant_tool_with_r_and_o()
    {
        var command = Restore("vfat", "/dev/sdb1");

        Assert.Equal("/opt/pcl/partclone.vfat", command.Program);
        Assert.Equal(["-r", "-o", "/dev/sdb1"], command.Arguments);
    }

    [Fact]
    public void Restore_raw_is_dd_with_o_only()
    {
        var command = Restore("dd", "/dev/nvme0n1p2");

        Assert.Equal("/opt/pcl/partclone.dd", command.Program);
        Assert.Equal(["-o", "/dev/nvme0n1p2"], command.Arguments);
    }

    [Theory]
    [InlineData("ext4")]
    [InlineData("ntfs")]
    [InlineData("vfat")]
    public void Check_is_chkimg_reading_stdin_whatever_the_variant(string variant)
    {
        var command = Check(variant);

        Assert.NotNull(command);
        Assert.Equal("/opt/pcl/partclone.chkimg", command.Program);
        Assert.Equal(["-s", "-"], command.Arguments);
    }

    [Fact]
    public void A_raw_image_is_checked_by_its_length_as_the_device_bytes_it_is() =>
        Assert.IsType<ImageCheck.DeviceBytes>(_imager.Check("dd"));

    [Fact]
    public void Every_run_gets_a_progress_parser_of_its_own() =>
        Assert.NotSame(_imager.Clone("ext4", new DeviceExtent("/dev/sda1", 1)).Progress, _imager.Clone("ext4", new DeviceExtent("/dev/sda1", 1)).Progress);

    [Fact]
    public void A_device_path_with_spaces_stays_one_argument()
    {
        var command = Clone("ext4", "/dev/disk/by-label/My Disk");

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
        Assert.ThrowsAny<ArgumentException>(() => Clone(variant, "/dev/sda1"));
        Assert.ThrowsAny<ArgumentException>(() => Restore(variant, "/dev/sda1"));
        Assert.ThrowsAny<ArgumentException>(() => _imager.Check(variant));
        Assert.NotNull(_imager.CannotRead(variant));
    }

    [Fact]
    public void An_empty_device_is_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => Clone("ext4", ""));
        Assert.ThrowsAny<ArgumentException>(() => Restore("dd", " "));
    }

    [Fact]
    public void Without_any_partclone_the_bare_name_is_used()
    {
        using var empty = new StandInDirectory();
        var imager = new PartcloneImager(new PartcloneLocator(null, StandInDirectory.Finder(empty.Path)));

        var command = imager.Clone("ext4", new DeviceExtent("/dev/sda1", 1)).Command;

        Assert.Equal("partclone.ext4", command.Program);
        Assert.Equal(["-c", "-s", "/dev/sda1"], command.Arguments);
        Assert.Equal("partclone.dd is not installed", imager.CannotRead("dd"));
        Assert.Equal("dd", imager.FormatFor("ext4"));
    }
}
