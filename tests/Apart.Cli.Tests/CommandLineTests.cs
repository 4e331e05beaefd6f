using Apart.Cli.Tests.Fakes;
using Apart.Cli.Commands;
using Spectre.Console.Cli;

namespace Apart.Cli.Tests;

/// <summary>How the command line is read; nothing here starts a core.</summary>
public sealed class CommandLineTests
{
    private static (int ExitCode, T? Settings) Parse<T>(string command, params string[] args)
        where T : CommandSettings => SettingsParser.Parse<T>(command, args);

    [Fact]
    public void Clone_takes_a_source_a_directory_a_name_and_a_compression()
    {
        var (exit, clone) = Parse<CloneSettings>("clone", "sda1", "/mnt/backups", "--name", "work", "--compression", "zst", "--json");

        Assert.Equal(0, exit);
        Assert.Equal(("sda1", "/mnt/backups", "work", "zst", true), (clone!.Source, clone.Directory, clone.Name, clone.Compression, clone.Json));
    }

    [Fact]
    public void Clone_options_have_short_forms_and_defaults()
    {
        var (_, clone) = Parse<CloneSettings>("clone", "/dev/sda1", "out", "-n", "x", "-c", "lz4");
        var (_, plain) = Parse<CloneSettings>("clone", "/dev/sda1", "out");

        Assert.Equal(("x", "lz4"), (clone!.Name, clone.Compression));
        Assert.Equal(((string?)null, (string?)null, false), (plain!.Name, plain.Compression, plain.Json));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("")]
    public void A_name_with_a_slash_or_none_at_all_is_refused(string name) =>
        Assert.Throws<CommandRuntimeException>(() => Parse<CloneSettings>("clone", "sda1", "/b", "--name", name));

    [Fact]
    public void Restore_asks_unless_yes()
    {
        var (_, asks) = Parse<RestoreSettings>("restore", "/b/x.apt.ext4.gz", "sdb1");
        var (_, yes) = Parse<RestoreSettings>("restore", "/b/x.apt.ext4.gz", "/dev/sdb1", "--yes");
        var (_, y) = Parse<RestoreSettings>("restore", "/b/x.apt.ext4.gz", "/dev/sdb1", "-y", "--json");

        Assert.Equal(("/b/x.apt.ext4.gz", "sdb1", false), (asks!.Image, asks.Device, asks.Yes));
        Assert.True(yes!.Yes);
        Assert.True(y!.Yes && y.Json);
    }

    [Fact]
    public void Clone_disk_and_restore_disk_take_a_disk_a_directory_and_their_options()
    {
        var (exit, clone) = Parse<CloneDiskSettings>("clone-disk", "sda", "/mnt/backups", "-n", "laptop", "-c", "zst", "--json");
        var (_, restore) = Parse<RestoreDiskSettings>("restore-disk", "/mnt/backups/laptop-2026-12-01T1020-img", "sdb", "--grow", "-y");
        var (_, asks) = Parse<RestoreDiskSettings>("restore-disk", "/b/x-img", "/dev/sdb");

        Assert.Equal(0, exit);
        Assert.Equal(("sda", "/mnt/backups", "laptop", "zst", true), (clone!.Source, clone.Directory, clone.Name, clone.Compression, clone.Json));
        Assert.Equal(("/mnt/backups/laptop-2026-12-01T1020-img", "sdb", true, true), (restore!.Image, restore.Device, restore.Grow, restore.Yes));
        Assert.Equal((false, false), (asks!.Grow, asks.Yes));
        Assert.True(Parse<RestoreSettings>("restore", "/b/sda1.ext4-ptcl-img.gz.aa", "sdb1", "--grow").Settings!.Grow);
    }

    [Fact]
    public void Verify_delete_list_and_demo_read_their_arguments()
    {
        Assert.Equal("/b/x.gz", Parse<VerifySettings>("verify", "/b/x.gz").Settings!.Image);
        Assert.True(Parse<VerifySettings>("verify", "/b/x.gz", "--json").Settings!.Json);
        Assert.Equal("/b/x.gz", Parse<DeleteSettings>("delete", "/b/x.gz").Settings!.Image);
        Assert.True(Parse<ListSettings>("list", "--json").Settings!.Json);
        Assert.Equal("gz", Parse<DemoSettings>("demo").Settings!.Compression);
        Assert.Equal("zst", Parse<DemoSettings>("demo", "-c", "zst").Settings!.Compression);
    }

    [Theory]
    [InlineData("clone")]
    [InlineData("clone", "sda1")]
    [InlineData("clone", "sda1", "/b", "--bogus")]
    [InlineData("clone", "sda1", "/b", "--name", "a/b")]
    [InlineData("restore", "/b/x.gz")]
    [InlineData("verify")]
    [InlineData("delete", "a", "b")]
    [InlineData("list", "extra")]
    [InlineData("frobnicate")]
    public async Task A_wrong_command_line_exits_2(params string[] args) =>
        Assert.Equal(ExitCodes.Usage, await CliApp.Create().RunAsync(args));

    [Theory]
    [InlineData("--help")]
    [InlineData("clone", "--help")]
    [InlineData("restore", "--help")]
    [InlineData("demo", "--help")]
    public async Task Help_exits_0(params string[] args) =>
        Assert.Equal(0, await CliApp.Create().RunAsync(args));

    [Theory]
    [InlineData("sda1", "/dev/sda1")]
    [InlineData("mapper/vg-root", "/dev/mapper/vg-root")]
    [InlineData("/dev/loop3", "/dev/loop3")]
    public void Devices_may_be_named_as_list_shows_them(string typed, string path) =>
        Assert.Equal(path, DevicePath.Of(typed));

    [Theory]
    [InlineData("/dev/sda1", "sda1")]
    [InlineData("mapper/vg-root", "vg-root")]
    [InlineData("nvme0n1p2", "nvme0n1p2")]
    public void An_image_is_named_after_its_device_by_default(string device, string name) =>
        Assert.Equal(name, DevicePath.DefaultImageName(device));
}
