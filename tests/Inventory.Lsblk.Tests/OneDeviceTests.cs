using Apart.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>
/// A job checks its own device just before it starts (<see cref="IDeviceInventory.ListSourceAsync"/>):
/// on every machine of the fixtures each listed device reads as the whole list gives it, while
/// blkid and sfdisk are asked only about the disk it is on. The whole list's probing is what made a
/// clone's first message late on a busy machine: blkid reading every other disk first.
/// </summary>
public sealed class OneDeviceTests
{
    private const string Backing = "/tmp/g.img";

    public static TheoryData<string> Machines() =>
    [
        "apart-gtk-two-disks.json", "apart-gtk-md-raid.json", "apart-gtk-livecd.json", "laptop-nvme.json", "lvm-two-disks.json",
        "vm-no-udev-loop.json", "vm-no-udev-loop-partitions.json", "vm-no-udev-loop-gpt-unnoded.json", "vm-no-udev-loop-gpt-unnoded-p3-mounted.json",
    ];

    [Theory]
    [MemberData(nameof(Machines))]
    public async Task Every_listed_device_reads_on_its_own_as_the_whole_list_gives_it(string machine)
    {
        var all = await Machine(machine).Inventory.ListSourcesAsync();
        var paths = all.SelectMany(source => source.Parts.Select(part => part.DevicePath).Prepend(source.DevicePath)).Distinct().ToList();
        Assert.NotEmpty(paths);

        foreach (var path in paths)
        {
            var alone = await Machine(machine).Inventory.ListSourceAsync(path);

            Assert.Equal(Describe(IDeviceInventory.Holding(all, path)), Describe(alone));
        }
    }

    [Fact]
    public async Task A_loop_device_is_probed_alone_not_with_the_machines_other_devices()
    {
        var machine = Machine("vm-no-udev-loop.json");

        var source = await machine.Inventory.ListSourceAsync("/dev/loop1");

        Assert.Equal(["/dev/loop1"], machine.Probe.Asked);
        Assert.Equal("loop1", source?.Name);
    }

    [Fact]
    public async Task A_partition_without_a_node_has_only_its_disks_table_read()
    {
        // loop0 holds a GPT the kernel made no nodes for; loop1 beside it a filesystem.
        var tables = new RecordingTables("/dev/loop0");
        var probe = new FakeProbe(
            new Dictionary<string, FilesystemSignature> { ["/dev/loop0"] = new(null, null, null, "gpt"), ["/dev/loop1"] = new("ext4", "data", "u1") },
            GptRanges("/dev/loop0"));
        var inventory = new LsblkInventory(StandIns.Printing("vm-no-udev-loop.json"), probe, NullLogger.Instance, tables);

        var source = await inventory.ListSourceAsync("/dev/loop0p2");

        Assert.Equal(["/dev/loop0"], probe.Asked);
        Assert.Equal(["/dev/loop0"], tables.Read);
        Assert.Equal(new PartDevice("loop0p2", 33554432, false, "swap", "myswap", "5fdb29d8-dce8-47d1-953a-f4a035d58ddd") { Start = 34603008, HasNode = false },
            Assert.Single(source!.Parts, part => part.Name == "loop0p2"));

        await inventory.ListSourceAsync("/dev/loop1");

        Assert.Equal(["/dev/loop1"], probe.Calls[^1]);
        Assert.Equal(["/dev/loop0"], tables.Read);
    }

    [Theory]
    [InlineData("/dev/mem")]
    [InlineData("/dev/loop")]
    [InlineData("/etc/shadow")]
    [InlineData("loop1")]
    [InlineData("")]
    public async Task A_path_no_listed_device_has_probes_nothing_and_is_not_found(string path)
    {
        var machine = Machine("vm-no-udev-loop.json");

        Assert.Null(await machine.Inventory.ListSourceAsync(path));
        Assert.Empty(machine.Probe.Calls);
    }

    private static (LsblkInventory Inventory, FakeProbe Probe) Machine(string fixture)
    {
        // What blkid and sfdisk find on the machines without udev; those with it need neither.
        var findings = fixture switch
        {
            "vm-no-udev-loop-partitions.json" => BlkidExportParser.Parse(Fixture.Text("blkid-export-loop-partitions.txt")),
            "vm-no-udev-loop-gpt-unnoded.json" or "vm-no-udev-loop-gpt-unnoded-p3-mounted.json" => BlkidExportParser.Parse(Fixture.Text("blkid-export-loop-gpt-unnoded.txt")),
            "vm-no-udev-loop.json" => new Dictionary<string, FilesystemSignature> { ["/dev/loop1"] = new("ext4", "benchsrc", "1b0c5a5e") },
            _ => new Dictionary<string, FilesystemSignature>(),
        };
        var probe = new FakeProbe(findings, GptRanges("/dev/loop0"));
        var loops = new Dictionary<string, LoopBacking> { ["loop0"] = new(Backing, 0), ["loop7"] = new(Backing, 68157440) };
        return (new LsblkInventory(StandIns.Printing(fixture), probe, NullLogger.Instance, new RecordingTables("/dev/loop0"), new FixedLoops(loops)), probe);
    }

    // The recorded GPT (sfdisk-json-loop-gpt.json) and what blkid finds in each of its partitions.
    private static Dictionary<(string Device, long Offset), FilesystemSignature> GptRanges(string device) =>
        Enumerable.Range(1, 3).ToDictionary(
            n => (device, SfdiskTableReader.Parse(Fixture.Text("sfdisk-json-loop-gpt.json")).Partitions[n - 1].Start),
            n => BlkidExportParser.Parse(Fixture.Text($"blkid-p-range-loop-gpt-p{n}.txt")).Values.Single());

    private static string? Describe(SourceDevice? source) =>
        source is null ? null : $"{source.Name} {source.Size} {source.Table}: {string.Join("; ", source.Parts)}";

    /// <summary>The recorded GPT on one device, no table elsewhere; remembers which devices were read.</summary>
    private sealed class RecordingTables(string device) : IPartitionTableReader
    {
        private readonly List<string> _read = [];

        public IReadOnlyList<string> Read
        {
            get
            {
                lock (_read)
                {
                    return [.. _read];
                }
            }
        }

        public Task<PartitionTable?> ReadAsync(string devicePath, CancellationToken cancellationToken = default)
        {
            lock (_read)
            {
                _read.Add(devicePath);
            }

            return Task.FromResult(devicePath == device ? SfdiskTableReader.Parse(Fixture.Text("sfdisk-json-loop-gpt.json")) : null);
        }
    }

    private sealed class FixedLoops(Dictionary<string, LoopBacking> loops) : ILoopBackings
    {
        public IReadOnlyDictionary<string, LoopBacking> Read() => loops;
    }
}
