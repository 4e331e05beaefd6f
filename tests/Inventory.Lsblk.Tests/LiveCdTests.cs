namespace Apart.Inventory.Lsblk.Tests;

/// <summary>apart-gtk's live CD in a VM: no partitions anywhere, a squashfs loop device and a CD.</summary>
public sealed class LiveCdTests
{
    private const string Fixture = "apart-gtk-livecd.json";

    [Fact]
    public async Task Loop_device_and_cd_are_whole_device_sources_and_mounted()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(["loop0", "sr0"], sources.Names());
        Assert.Equal(new("loop0", 1553670144, Mounted: true, "squashfs"), Assert.Single(sources.Source("loop0").Parts));
        Assert.Equal(
            new("sr0", 1609039872, Mounted: true, "iso9660", "Ubuntu 17.04 amd64"),
            Assert.Single(sources.Source("sr0").Parts));
    }

    [Fact]
    public async Task An_empty_disk_is_probed_and_listed_only_as_blank_when_nothing_is_found()
    {
        var probe = new FakeProbe();

        var sources = await Inventories.ListAsync(Fixture, probe);

        Assert.Equal(["/dev/sda"], probe.Asked);
        Assert.DoesNotContain("sda", sources.Names());
        Assert.Equal(["sda"], sources.UnformattedNames());
        Assert.Equal(new("sda", 21474836480, Mounted: false, Unformatted: true), Assert.Single(sources.Source("sda").Parts));
    }

    [Fact]
    public async Task An_empty_disk_where_blkid_finds_a_filesystem_becomes_a_source()
    {
        var probe = new FakeProbe(new Dictionary<string, FilesystemSignature>
        {
            ["/dev/sda"] = new("ext4", "data", "0f6a2b9c-1d2e-4f3a-8b4c-5d6e7f8a9b0c"),
        });

        var sources = await Inventories.ListAsync(Fixture, probe);

        Assert.Equal(
            new("sda", 21474836480, Mounted: false, "ext4", "data", "0f6a2b9c-1d2e-4f3a-8b4c-5d6e7f8a9b0c"),
            Assert.Single(sources.Source("sda").Parts));
    }
}
