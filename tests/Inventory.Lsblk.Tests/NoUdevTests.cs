namespace Apart.Inventory.Lsblk.Tests;

/// <summary>This kind of VM: no udev, so lsblk knows no filesystem and blkid must tell.</summary>
public sealed class NoUdevTests
{
    private static readonly FilesystemSignature BenchSource = new("ext4", "benchsrc", "1b0c5a5e-8f3d-4c4e-9a8b-7d6c5b4a3f2e");

    [Fact]
    public async Task Blkid_fills_in_fstype_label_and_uuid_of_loop_devices()
    {
        var probe = new FakeProbe(new Dictionary<string, FilesystemSignature>
        {
            ["/dev/loop0"] = BenchSource,
            ["/dev/loop1"] = BenchSource,
        });

        var sources = await Inventories.ListAsync("vm-no-udev-loop.json", probe);

        Assert.Equal(["loop0", "loop1"], sources.Names());
        Assert.Equal(
            new("loop1", 1073741824, Mounted: false, "ext4", "benchsrc", BenchSource.Uuid),
            Assert.Single(sources.Source("loop1").Parts));
    }

    [Fact]
    public async Task All_devices_go_to_one_probe_call_but_not_the_empty_zram()
    {
        var probe = new FakeProbe();

        await Inventories.ListAsync("vm-no-udev-loop.json", probe);

        Assert.Equal(["/dev/loop0", "/dev/loop1", "/dev/vda"], probe.Asked);
    }

    [Fact]
    public async Task Devices_where_blkid_finds_nothing_are_blank_restore_targets_unless_mounted()
    {
        var sources = await Inventories.ListAsync("vm-no-udev-loop.json", new FakeProbe());

        // vda is the mounted root filesystem, which blkid was not allowed to read: not blank.
        Assert.Empty(sources.Names());
        Assert.Equal(["loop0", "loop1"], sources.UnformattedNames());
        Assert.DoesNotContain(sources, source => source.Name == "vda");
    }

    [Fact]
    public async Task Recorded_partitions_get_their_filesystems_from_recorded_blkid_output()
    {
        var recorded = BlkidExportParser.Parse(Fixture.Text("blkid-export-loop-partitions.txt"));
        var probe = new FakeProbe(recorded);

        var sources = await Inventories.ListAsync("vm-no-udev-loop-partitions.json", probe);

        Assert.Equal(["/dev/loop2", "/dev/loop2p1", "/dev/loop2p2", "/dev/loop2p3"], probe.Asked);
        var loop2 = sources.Source("loop2");
        Assert.Equal(167772160, loop2.Size);
        Assert.Equal("gpt", loop2.Table);
        Assert.Equal(
            [
                new("loop2p1", 33554432, Mounted: false, "vfat", "EFI", "5706-3F8C"),
                new("loop2p2", 67108864, Mounted: true, "ext4", "root", "df41bdcc-1268-49fc-8c21-f43f27e652f2"),
                new("loop2p3", 65011712, Mounted: true, "swap", "swap", "32a8556b-2cac-44c6-b9b2-3a4e33910afe"),
            ],
            loop2.Parts);
    }
}
