using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>The lsblk program named by APART_LSBLK_CMD: how it is called and how its failures surface.</summary>
public sealed class StandInTests
{
    [Fact]
    public async Task Lsblk_is_called_with_Jbo_and_the_column_list()
    {
        await new LsblkInventory(StandIns.PathOf("lsblk-records-arguments"), new FakeProbe(), NullLogger.Instance)
            .ListSourcesAsync();

        Assert.Equal(
            ["-Jbo", "NAME,PATH,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT,MOUNTPOINTS,PTTYPE,START"],
            File.ReadAllLines(StandIns.StatePath("lsblk-arguments")));
    }

    [Fact]
    public async Task A_stand_in_printing_the_original_columns_is_listed_as_it_says()
    {
        var probe = new FakeProbe();
        var inventory = new LsblkInventory(StandIns.PathOf("lsblk-original-columns"), probe, NullLogger.Instance);

        var sources = await inventory.ListSourcesAsync();

        var disk = Assert.Single(sources);
        Assert.Equal(("sdzz", 500107862016L), (disk.Name, disk.Size));
        Assert.Equal(
            [new("sdzz1", 209715200, Mounted: true, "vfat", "ESP"), new("sdzz2", 499896049664, Mounted: false)],
            disk.Parts);
        Assert.Equal(["/dev/sdzz2"], probe.Asked);
    }

    [Fact]
    public async Task Devices_missing_here_are_not_given_to_blkid_and_keep_the_stand_ins_data()
    {
        // The real probe: /dev/sdzz2 does not exist here, so blkid never runs.
        var probe = new BlkidProbe(StandIns.PathOf("blkid-must-not-run"), BlkidProbe.DefaultTimeout, NullLogger.Instance);
        var inventory = new LsblkInventory(StandIns.PathOf("lsblk-original-columns"), probe, NullLogger.Instance);

        var sources = await inventory.ListSourcesAsync();

        Assert.Equal(["sdzz1", "sdzz2"], Assert.Single(sources).PartNames());
        Assert.Equal(new("sdzz2", 499896049664, Mounted: false), sources.Part("sdzz2"));
        Assert.False(File.Exists(StandIns.StatePath("blkid-ran")));
    }

    [Fact]
    public async Task A_failing_lsblk_is_an_exception_with_its_exit_code_and_error()
    {
        var inventory = new LsblkInventory(StandIns.PathOf("lsblk-fails"), new FakeProbe(), NullLogger.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => inventory.ListSourcesAsync());

        Assert.Contains("exit code 32", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed to access sysfs directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_that_is_not_lsblks_json_is_an_exception_naming_the_program()
    {
        var program = StandIns.PathOf("lsblk-garbage");
        var inventory = new LsblkInventory(program, new FakeProbe(), NullLogger.Instance);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => inventory.ListSourcesAsync());

        Assert.StartsWith(program + ": lsblk's output is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("NAME SIZE FSTYPE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_output_is_an_exception()
    {
        var inventory = new LsblkInventory(StandIns.PathOf("lsblk-empty"), new FakeProbe(), NullLogger.Instance);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => inventory.ListSourcesAsync());

        Assert.Contains("(empty)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_program_is_an_exception_naming_it()
    {
        var inventory = new LsblkInventory("/nonexistent/lsblk", new FakeProbe(), NullLogger.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => inventory.ListSourcesAsync());

        Assert.Contains("Could not run /nonexistent/lsblk", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_lsblk_without_MOUNTPOINTS_is_asked_for_older_columns_once_and_from_then_on()
    {
        var inventory = new LsblkInventory(StandIns.PathOf("lsblk-legacy"), new FakeProbe(), NullLogger.Instance);

        var first = await inventory.ListSourcesAsync();
        var second = await inventory.ListSourcesAsync();

        Assert.Equal(["sdx", "sdy"], first.Names());
        Assert.Equal(first.Names(), second.Names());
        Assert.Equal(
            [
                "-Jbo NAME,PATH,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT,MOUNTPOINTS,PTTYPE,START",
                "-Jbo NAME,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT",
                "-Jbo NAME,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT",
            ],
            File.ReadAllLines(StandIns.StatePath("lsblk-legacy-calls")));
    }

    [Fact]
    public async Task Cancellation_stops_the_read()
    {
        var inventory = new LsblkInventory(StandIns.Printing("laptop-nvme.json"), new FakeProbe(), NullLogger.Instance);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inventory.ListSourcesAsync(new CancellationToken(canceled: true)));
    }
}
