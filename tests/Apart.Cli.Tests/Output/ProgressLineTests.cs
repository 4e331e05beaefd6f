using Apart.Protocol;
using Apart.Cli.Output;

namespace Apart.Cli.Tests.Output;

public sealed class ProgressLineTests
{
    private static readonly DateTimeOffset Now = new(2017, 4, 18, 17, 39, 53, TimeSpan.Zero);

    private static JobProgress Clone(double complete) =>
        new(JobKind.Clone, "a", "/dev/sda1", "/b/w.gz", Now.AddSeconds(-52)) { Complete = complete };

    [Fact]
    public void A_running_job_shows_percent_rate_and_time_left() =>
        Assert.Equal(
            "clone 42.5% 9.87GB/min ETA 00:01:10",
            ProgressLine.Format(Clone(0.425) with { Rate = "9.87GB/min", EstimatedFinish = Now.AddSeconds(70) }, Now));

    [Fact]
    public void A_disk_job_names_the_partition_at_work() =>
        Assert.Equal(
            "clone-disk 12.0% sda2 1.2GB/min",
            ProgressLine.Format(new JobProgress(JobKind.CloneDisk, "a", "/dev/sda", "/b/d-img", Now) { Complete = 0.12, Part = "/dev/sda2", Rate = "1.2GB/min" }, Now));

    [Fact]
    public void The_first_message_has_only_a_percentage() =>
        Assert.Equal("clone 0.0%", ProgressLine.Format(Clone(0), Now));

    [Fact]
    public void Syncing_says_so_and_stays_below_100() =>
        Assert.Equal("clone 99.9% syncing", ProgressLine.Format(Clone(0.9999) with { Syncing = true, Rate = "1GB/min" }, Now));

    [Fact]
    public void Only_the_finished_job_shows_100() =>
        Assert.Equal("restore 100.0% done", ProgressLine.Format(Clone(1.0) with { Kind = JobKind.Restore, Finish = Now }, Now));

    [Fact]
    public void An_estimate_already_past_shows_zero_left() =>
        Assert.Equal("verify 50.0% 1MB/min ETA 00:00:00", ProgressLine.Format(Clone(0.5) with { Kind = JobKind.Verify, Rate = "1MB/min", EstimatedFinish = Now.AddSeconds(-5) }, Now));

    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(59.2, "00:01:00")]
    [InlineData(3661, "01:01:01")]
    [InlineData(100 * 3600, "100:00:00")]
    public void Durations_count_hours_minutes_seconds(double seconds, string expected) =>
        Assert.Equal(expected, ProgressLine.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0.9999, "99.9%")]
    [InlineData(0.0123, "1.2%")]
    [InlineData(1.5, "100.0%")]
    [InlineData(-1, "0.0%")]
    public void Percentages_round_down(double complete, string expected) =>
        Assert.Equal(expected, ProgressLine.Percent(complete));

    [Fact]
    public void The_bar_details_say_syncing_cancelling_and_done()
    {
        Assert.Equal("[grey]starting…[/]", JobDetailsColumn.Describe(null, cancelling: false, Now));
        Assert.Equal("[blue]syncing…[/]", JobDetailsColumn.Describe(Clone(0.9999) with { Syncing = true }, cancelling: false, Now));
        Assert.Equal("[yellow]cancelling…[/]", JobDetailsColumn.Describe(Clone(0.3), cancelling: true, Now));
        Assert.Equal("[green]done[/]", JobDetailsColumn.Describe(Clone(1) with { Finish = Now }, cancelling: false, Now));
        Assert.Equal("9.87GB/min  [grey]ETA[/] 00:00:10", JobDetailsColumn.Describe(Clone(0.5) with { Rate = "9.87GB/min", EstimatedFinish = Now.AddSeconds(10) }, false, Now));
    }

    [Fact]
    public async Task Plain_progress_is_one_line_per_message()
    {
        var output = new StringWriter();
        var display = new PlainProgressDisplay(output, new FixedTime(Now));

        var result = await display.ShowAsync("clone sda1", sink =>
        {
            sink.Report(Clone(0));
            sink.Report(Clone(0.5) with { Rate = "2GB/min", EstimatedFinish = Now.AddSeconds(3) });
            sink.Cancelling();
            return Task.FromResult(7);
        });

        Assert.Equal(7, result);
        Assert.Equal(
            ["clone 0.0%", "clone 50.0% 2GB/min ETA 00:00:03", "clone sda1: cancelling, waiting for apart-core to stop the job"],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
