namespace Apart.Inventory.Lsblk.Tests;

/// <summary>A laptop's NVMe disk: partitions are named with a p (nvme0n1p1).</summary>
public sealed class NvmeLaptopTests
{
    [Fact]
    public async Task Nvme_partitions_are_named_as_under_dev_and_all_in_use()
    {
        var probe = new FakeProbe();

        var sources = await Inventories.ListAsync("laptop-nvme.json", probe);

        var disk = Assert.Single(sources);
        Assert.Equal("nvme0n1", disk.Name);
        Assert.Equal(512110190592, disk.Size);
        Assert.Equal(
            [
                new("nvme0n1p1", 536870912, Mounted: true, "vfat", null, "6C1D-8E2A"),
                new("nvme0n1p2", 494391353344, Mounted: true, "ext4", null, "0b3a4f6e-3c59-4a8e-9d7e-5f2c1a9b8d47"),
                new("nvme0n1p3", 17179869184, Mounted: true, "swap", null, "a6f1c2d3-7e84-4b9a-8c1d-2e3f4a5b6c7d"),
            ],
            disk.Parts);
        Assert.Equal("/dev/nvme0n1p3", disk.Parts[2].DevicePath);
        Assert.Empty(probe.Calls);
    }
}
