using Apart.Abstractions;
using Apart.Host.Jobs;

namespace Apart.Host.Tests.Jobs;

public sealed class StepProgressTests
{
    [Fact]
    public void Steps_count_by_their_size_until_their_program_says_how_much_data_they_hold()
    {
        var progress = new StepProgress([100, 300], new ManualTime());

        Assert.Equal(0.125, progress.Overall(new ImagingProgress(0.5, null, null)).Complete);
        Assert.Equal(0.25, progress.StepDone().Complete);
        progress.Begin(1);

        // The second step holds only 100 bytes of data, not 300: half of it is 3/4 of the job.
        Assert.Equal(0.75, progress.Overall(new ImagingProgress(0.5, null, "1MB/min") { DataBytes = 100 }).Complete);
    }

    [Fact]
    public void The_job_never_goes_back_even_when_a_step_turns_out_larger()
    {
        var progress = new StepProgress([100, 100], new ManualTime());
        progress.Overall(new ImagingProgress(1.0, null, null));
        progress.Begin(1);

        var later = progress.Overall(new ImagingProgress(0.0, null, null) { DataBytes = 1000 });

        Assert.Equal(0.5, later.Complete);
    }

    [Fact]
    public void The_time_left_comes_from_the_jobs_own_pace_and_the_rate_from_the_program()
    {
        var time = new ManualTime();
        var progress = new StepProgress([100, 100], time);
        time.Now += TimeSpan.FromSeconds(10);

        var update = progress.Overall(new ImagingProgress(0.5, TimeSpan.FromHours(1), "2GB/min"));

        Assert.Equal(TimeSpan.FromSeconds(30), update.Remaining);
        Assert.Equal("2GB/min", update.Rate);
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
