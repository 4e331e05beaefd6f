using Apart.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>
/// This kind of VM again, with a GPT disk on a loop device: the kernel parses no partition tables,
/// so lsblk shows the disk alone; blkid sees a table, sfdisk reads it, and each partition is
/// listed as the kernel would name it, its filesystem probed at its offset.
/// </summary>
public sealed class UnnodedPartitionsTests
{
    private const string Backing = "/tmp/g.img";

    [Fact]
    public async Task A_gpt_disk_without_partition_nodes_lists_its_partitions_named_as_the_kernel_would()
    {
        var sources = await ListAsync("vm-no-udev-loop-gpt-unnoded.json");

        var disk = sources.Source("loop0");
        Assert.Equal("gpt", disk.Table);
        Assert.Equal(
            [
                new PartDevice("loop0p1", 33554432, false, "vfat", "EFI", "1A2B-3C4D") { Start = 1048576, HasNode = false },
                new PartDevice("loop0p2", 33554432, false, "swap", "myswap", "5fdb29d8-dce8-47d1-953a-f4a035d58ddd") { Start = 34603008, HasNode = false },
                new PartDevice("loop0p3", 98566144, false, "ext4", "root", "6c1b2f3a-1111-4222-8333-944455556666") { Start = 68157440, HasNode = false },
            ],
            disk.Parts);
    }

    [Fact]
    public async Task A_partition_is_mounted_when_another_loop_device_over_its_bytes_is()
    {
        var loops = new Dictionary<string, LoopBacking>
        {
            ["loop0"] = new(Backing, 0),
            ["loop7"] = new(Backing, 68157440),
        };

        var sources = await ListAsync("vm-no-udev-loop-gpt-unnoded-p3-mounted.json", loops);

        Assert.Equal([false, false, true], sources.Source("loop0").Parts.Select(part => part.Mounted));
    }

    [Fact]
    public async Task A_loop_device_over_other_bytes_of_the_same_file_does_not_count()
    {
        var loops = new Dictionary<string, LoopBacking>
        {
            ["loop0"] = new(Backing, 0),
            ["loop7"] = new(Backing, 167772160), // past the disk's end
        };

        var sources = await ListAsync("vm-no-udev-loop-gpt-unnoded-p3-mounted.json", loops);

        Assert.DoesNotContain(sources.Source("loop0").Parts, part => part.Mounted);
    }

    [Fact]
    public void Kernel_names_put_a_p_between_a_disk_ending_in_a_digit_and_the_number()
    {
        Assert.Equal("sda3", SourceListBuilder.PartitionName("sda", 3));
        Assert.Equal("nvme0n1p2", SourceListBuilder.PartitionName("nvme0n1", 2));
        Assert.Equal("loop5p1", SourceListBuilder.PartitionName("loop5", 1));
        Assert.Equal("mmcblk0p1", SourceListBuilder.PartitionName("mmcblk0", 1));
    }

    [Fact]
    public void A_dos_extended_partition_holds_others_and_is_no_part_itself()
    {
        var table = SfdiskTableReader.Parse("""
            {"partitiontable": {"label": "dos", "id": "0x15deb153", "device": "/dev/loop0", "unit": "sectors", "sectorsize": 512,
              "partitions": [
                {"node": "/dev/loop0p1", "start": 2048, "size": 131072, "type": "83", "bootable": true},
                {"node": "/dev/loop0p3", "start": 165888, "size": 204800, "type": "5"},
                {"node": "/dev/loop0p5", "start": 167936, "size": 100352, "type": "83"}
              ]}}
            """);

        Assert.Equal([1, 3, 5], table.Partitions.Select(entry => entry.Number));
        Assert.Equal([false, true, false], table.Partitions.Select(entry => entry.IsContainer));
        Assert.Equal(167936L * 512, table.Partitions[2].Start);
    }

    private static Task<IReadOnlyList<SourceDevice>> ListAsync(string fixture, Dictionary<string, LoopBacking>? loops = null)
    {
        var probe = new FakeProbe(
            BlkidExportParser.Parse(Fixture.Text("blkid-export-loop-gpt-unnoded.txt")),
            Enumerable.Range(1, 3).ToDictionary(
                n => ("/dev/loop0", SfdiskTableReader.Parse(Fixture.Text("sfdisk-json-loop-gpt.json")).Partitions[n - 1].Start),
                n => BlkidExportParser.Parse(Fixture.Text($"blkid-p-range-loop-gpt-p{n}.txt")).Values.Single()));
        return new LsblkInventory(StandIns.Printing(fixture), probe, NullLogger.Instance, new FixedTables(), new FixedLoops(loops ?? [])).ListSourcesAsync();
    }

    private sealed class FixedTables : IPartitionTableReader
    {
        public Task<PartitionTable?> ReadAsync(string devicePath, CancellationToken cancellationToken = default) =>
            Task.FromResult(devicePath == "/dev/loop0" ? SfdiskTableReader.Parse(Fixture.Text("sfdisk-json-loop-gpt.json")) : null);
    }

    private sealed class FixedLoops(Dictionary<string, LoopBacking> loops) : ILoopBackings
    {
        public IReadOnlyDictionary<string, LoopBacking> Read() => loops;
    }
}
