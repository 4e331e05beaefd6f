namespace Apart.Inventory.Lsblk.Tests;

/// <summary>apart-gtk's three-disk md RAID: md0 appears under every member.</summary>
public sealed class MdRaidTests
{
    private const string Fixture = "apart-gtk-md-raid.json";

    [Fact]
    public async Task Md0_is_listed_once_as_a_source_of_its_own()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(["sdd", "md0", "sdb", "sdc", "sda"], sources.Names());
        var md0 = sources.Source("md0");
        Assert.Equal(6000913416192, md0.Size);
        Assert.Equal(new("md0", 6000913416192, Mounted: true, "ext4"), Assert.Single(md0.Parts));
    }

    [Fact]
    public async Task Raid_members_are_mounted_because_md0_is()
    {
        var sources = await Inventories.ListAsync(Fixture);

        foreach (var member in new[] { "sdb1", "sdc1", "sdd1" })
        {
            Assert.Equal(new(member, 3000591450112, Mounted: true, "linux_raid_member", "mediapc:0"), sources.Part(member));
        }
    }

    [Fact]
    public async Task The_system_disk_keeps_its_partitions_and_swap_counts_as_mounted()
    {
        var sources = await Inventories.ListAsync(Fixture);

        Assert.Equal(["sda2", "sda5", "sda3", "sda1"], sources.Source("sda").PartNames());
        Assert.True(sources.Part("sda2").Mounted);
        Assert.Equal("home", sources.Part("sda3").Label);
        Assert.False(sources.Part("sda1").Mounted);
    }
}
