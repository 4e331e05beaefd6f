namespace Apart.Inventory.Lsblk.Tests;

/// <summary>LVM on a partition of sda and on the whole of sdb, one volume spanning both.</summary>
public sealed class LvmTests
{
    private const string Fixture = "lvm-two-disks.json";

    [Fact]
    public async Task Volumes_are_sources_named_below_dev_mapper_and_listed_once()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(
            ["sda", "mapper/vg0-root", "mapper/vg0-swap", "mapper/vg0-home", "sdb", "mapper/vg0-scratch"],
            sources.Names());
        var root = Assert.Single(sources.Source("mapper/vg0-root").Parts);
        Assert.Equal(new("mapper/vg0-root", 53687091200, Mounted: true, "ext4", "root", "c699a42a-d91b-4b1d-9cc7-ddd6b40a08a2"), root);
        Assert.Equal("/dev/mapper/vg0-root", root.DevicePath);
        Assert.False(sources.Part("mapper/vg0-scratch").Mounted);
        Assert.True(sources.Part("mapper/vg0-swap").Mounted);
    }

    [Fact]
    public async Task The_pv_partition_is_mounted_through_its_volumes()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(["sda1", "sda2", "sda3"], sources.Source("sda").PartNames());
        Assert.Equal(
            new("sda3", 254447804416, Mounted: true, "LVM2_member", null, "Xb3c1V-9nTQ-Hq1W-a3Zy-DnPz-1kfQ-0VqHDd"),
            sources.Part("sda3"));
    }

    [Fact]
    public async Task A_whole_disk_pv_is_its_own_source_mounted_through_its_volumes()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(
            new("sdb", 1000204886016, Mounted: true, "LVM2_member", null, "q7RkLm-Z2bX-8YwE-cV4n-Hs9P-tU3j-KdF6aG"),
            Assert.Single(sources.Source("sdb").Parts));
    }

    [Fact]
    public void Without_a_path_column_device_mapper_names_are_derived_from_the_type()
    {
        var devices = LsblkJsonParser.Parse("""
            {"blockdevices": [{"name": "sda", "type": "disk", "size": 1000, "children": [
              {"name": "sda2", "type": "part", "size": 900, "fstype": "crypto_LUKS", "children": [
                {"name": "luks-1234", "type": "crypt", "size": 880, "fstype": "LVM2_member", "children": [
                  {"name": "vg-root", "type": "lvm", "size": 800, "fstype": "btrfs", "mountpoints": ["/", "/home"]}]}]}]}]}
            """);

        var sources = SourceListBuilder.Build(devices);

        Assert.Equal(["sda", "mapper/luks-1234", "mapper/vg-root"], sources.Names());
        Assert.True(sources.Part("sda2").Mounted);
        Assert.True(sources.Part("mapper/luks-1234").Mounted);
        Assert.Equal("btrfs", sources.Part("mapper/vg-root").FsType);
    }
}
