using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>The one blkid call per read: arguments, which devices, and failures that only cost the findings.</summary>
public sealed class BlkidProbeTests
{
    private static readonly string[] RecordedDevices = ["/dev/loop2p1", "/dev/loop2p2", "/dev/loop2p3", "/dev/loop2"];

    [Fact]
    public async Task All_devices_go_to_one_blkid_in_cache_mode_with_raw_export_output()
    {
        var probe = Probe("blkid-records-arguments", new ListLogger());

        var found = await probe.ProbeAsync(RecordedDevices);

        Assert.Equal(
            ["-c", "/dev/null", "-d", "-o", "export", "--", .. RecordedDevices],
            File.ReadAllLines(StandIns.StatePath("blkid-arguments")));
        Assert.Equal(["/dev/loop2", "/dev/loop2p1", "/dev/loop2p2", "/dev/loop2p3"], found.Keys.Order());
        Assert.Equal(new("ext4", "root", "df41bdcc-1268-49fc-8c21-f43f27e652f2"), found["/dev/loop2p2"]);
        Assert.Equal("gpt", found["/dev/loop2"].PartitionTable);
    }

    [Fact]
    public async Task An_error_exit_is_logged_and_what_blkid_printed_is_kept()
    {
        var logger = new ListLogger();

        var found = await Probe("blkid-usage-error", logger).ProbeAsync(RecordedDevices);

        Assert.Equal(4, found.Count);
        Assert.Contains(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("exited with code 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nothing_found_is_not_a_failure()
    {
        var logger = new ListLogger();

        var found = await Probe("blkid-finds-nothing", logger).ProbeAsync(RecordedDevices);

        Assert.Empty(found);
        Assert.DoesNotContain(logger.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_missing_blkid_is_logged_not_thrown()
    {
        var logger = new ListLogger();
        var probe = new BlkidProbe("/nonexistent/blkid", BlkidProbe.DefaultTimeout, logger, _ => true);

        var found = await probe.ProbeAsync(RecordedDevices);

        Assert.Empty(found);
        Assert.Contains(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("/nonexistent/blkid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hung_blkid_is_stopped_at_the_deadline_and_logged()
    {
        var logger = new ListLogger();
        var probe = new BlkidProbe(StandIns.PathOf("blkid-hangs"), TimeSpan.FromMilliseconds(300), logger, _ => true);
        var started = DateTime.UtcNow;

        var found = await probe.ProbeAsync(RecordedDevices);

        Assert.Empty(found);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Contains(logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("did not finish", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_existing_block_devices_are_given_to_blkid()
    {
        // Not there, a character device, a directory, a plain file: blkid is not even started.
        var probe = new BlkidProbe(StandIns.PathOf("blkid-must-not-run"), BlkidProbe.DefaultTimeout, NullLogger.Instance);
        var plainFile = Fixture.PathOf("laptop-nvme.json");

        var found = await probe.ProbeAsync(["/dev/sdzz9", "/dev/null", "/dev", plainFile]);

        Assert.Empty(found);
        Assert.False(File.Exists(StandIns.StatePath("blkid-ran")));
    }

    [Theory]
    [InlineData("/dev/null")]
    [InlineData("/dev/sdzz9")]
    [InlineData("/dev")]
    [InlineData("")]
    public void Not_a_block_device(string path) => Assert.False(BlockDeviceNode.IsBlockDevice(path));

    private static BlkidProbe Probe(string standIn, ILogger logger) =>
        new(StandIns.PathOf(standIn), BlkidProbe.DefaultTimeout, logger, _ => true);
}
