namespace Apart.Inventory.Lsblk.Tests;

/// <summary>apart-gtk's two SATA disks: ntfs, ext4, an extended-partition stub, swap, f2fs.</summary>
public sealed class TwoDisksTests
{
    private const string Fixture = "apart-gtk-two-disks.json";

    [Fact]
    public async Task Both_disks_are_sources_with_every_partition()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(["sdx", "sdy"], sources.Names());
        Assert.Equal(["sdx1", "sdx2", "sdx3", "sdx4", "sdx5"], sources.Source("sdx").PartNames());
        Assert.Equal(["sdy1", "sdy2", "sdy3"], sources.Source("sdy").PartNames());
        Assert.Equal(750156374016, sources.Source("sdx").Size);
    }

    [Fact]
    public async Task Partitions_carry_lsblks_filesystem_label_and_uuid()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(new("sdx3", 181070200832, Mounted: true, "ext4", "arch", "345-345-345"), sources.Part("sdx3"));
        Assert.Equal(new("sdx1", 104857600, Mounted: false, "ntfs", "win reserved", "123-123-123"), sources.Part("sdx1"));
        Assert.Equal(new("sdy2", 2147483648, Mounted: false, "swap", "swap", "567-567-567"), sources.Part("sdy2"));
        Assert.Equal(new("sdy3", 59436433408, Mounted: false, "f2fs", "main", "678-678-678"), sources.Part("sdy3"));
    }

    [Fact]
    public async Task The_extended_partition_stub_is_listed_without_filesystem()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(new("sdx4", 1024, Mounted: false), sources.Part("sdx4"));
        Assert.Equal(new("sdx5", 32212254720, Mounted: false), sources.Part("sdx5"));
    }

    [Fact]
    public async Task Only_partitions_without_filesystem_data_are_probed_in_one_call()
    {
        var probe = new FakeProbe();

        await Inventories.ListAsync(Fixture, probe);

        Assert.Equal(["/dev/sdx4", "/dev/sdx5"], probe.Asked);
    }
}
