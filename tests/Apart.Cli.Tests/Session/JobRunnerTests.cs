using Apart.Cli.Tests.Fakes;
using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Tests.Session;

public sealed class JobRunnerTests
{
    private static readonly DateTimeOffset Start = new(2024, 5, 3, 10, 20, 0, TimeSpan.Zero);
    private static readonly CloneRequest Request = new("/dev/sda1", "/b", "work", null);

    private static JobProgress Progress(string id, double complete) =>
        new(JobKind.Clone, id, "/dev/sda1", "/b/work-2024-05-03T1020.apt.ext4.gz", Start) { Complete = complete };

    private static JobFailed Failure(string id, string error) =>
        new(JobKind.Clone, id, "/dev/sda1", "/b/work-2024-05-03T1020.apt.ext4.gz", Start, Start.AddSeconds(2), error);

    private static Task<JobOutcome> Run(FakeCore core, RecordingDisplay display, CancellationToken interrupted = default) =>
        new JobRunner(core, display).RunAsync(Request, JobKind.Clone, "clone sda1", interrupted).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

    [Fact]
    public async Task Follows_a_job_to_its_success()
    {
        var final = Progress("j1", 1.0) with { Finish = Start.AddSeconds(5), ImageSize = 1234 };
        var core = new FakeCore(request => request is CloneRequest
            ? [Progress("j1", 0), Progress("j1", 0.5), Progress("j1", 0.9999) with { Syncing = true }, final]
            : []);
        var display = new RecordingDisplay();

        var outcome = await Run(core, display);

        Assert.Equal(new JobOutcome.Succeeded(final), outcome);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal([0, 0.5, 0.9999, 1.0], display.Reports.Select(p => p.Complete));
        Assert.Equal([Request], core.Received);
    }

    [Fact]
    public async Task A_failure_carries_the_cores_reason()
    {
        var core = new FakeCore(request => request is CloneRequest ? [Progress("j1", 0), Failure("j1", "No space left on device")] : []);

        var outcome = await Run(core, new RecordingDisplay());

        var failed = Assert.IsType<JobOutcome.Failed>(outcome);
        Assert.Equal("No space left on device", failed.Error);
        Assert.Equal(1, outcome.ExitCode);
    }

    [Fact]
    public async Task A_refused_request_is_a_failure()
    {
        var core = new FakeCore(request => request is CloneRequest ? [Failure("fresh", "Source /dev/sda1 is not a listed partition")] : []);

        var outcome = await Run(core, new RecordingDisplay());

        Assert.Equal("Source /dev/sda1 is not a listed partition", Assert.IsType<JobOutcome.Failed>(outcome).Error);
    }

    [Fact]
    public async Task A_request_the_core_cannot_read_is_a_failure()
    {
        var core = new FakeCore(request => request is CloneRequest ? [new RequestError("The clone request lacks 'name'.", "clone")] : []);

        var outcome = await Run(core, new RecordingDisplay());

        Assert.Equal("The clone request lacks 'name'.", Assert.IsType<JobOutcome.Failed>(outcome).Error);
    }

    [Fact]
    public async Task Ctrl_C_cancels_through_the_protocol_and_waits_for_Cancelled()
    {
        using var interrupt = new CancellationTokenSource();
        FakeCore? core = null;
        core = new FakeCore(request => request switch
        {
            CloneRequest => [Progress("j1", 0), Progress("j1", 0.1)],
            CancelRequest { Kind: JobKind.Clone, Id: "j1" } => [Progress("j1", 0.2), Failure("j1", JobFailed.Cancelled)],
            _ => [],
        });
        var display = new RecordingDisplay { OnReport = progress => { if (progress.Complete == 0.1) interrupt.Cancel(); } };

        var outcome = await Run(core, display, interrupt.Token);

        var cancelled = Assert.IsType<JobOutcome.Cancelled>(outcome);
        Assert.Equal(130, cancelled.ExitCode);
        Assert.Equal([Request, new CancelRequest(JobKind.Clone, "j1")], core.Received);
        Assert.Equal(1, display.Cancellings);
    }

    [Fact]
    public async Task Ctrl_C_before_the_job_has_an_id_cancels_once_it_has_one()
    {
        using var interrupt = new CancellationTokenSource();
        await interrupt.CancelAsync();
        var core = new FakeCore(request => request is CancelRequest ? [Failure("j9", JobFailed.Cancelled)] : []);
        var running = Run(core, new RecordingDisplay(), interrupt.Token);
        await Task.Delay(100);
        Assert.Equal([Request], core.Received);

        core.Say(Progress("j9", 0));
        var outcome = await running;

        Assert.IsType<JobOutcome.Cancelled>(outcome);
        Assert.Equal(new CancelRequest(JobKind.Clone, "j9"), core.Received.Last());
    }

    [Fact]
    public async Task A_job_that_finishes_before_the_cancel_arrives_succeeded()
    {
        using var interrupt = new CancellationTokenSource();
        var final = Progress("j1", 1.0) with { Finish = Start.AddSeconds(5), ImageSize = 1 };
        var core = new FakeCore(request => request switch
        {
            CloneRequest => [Progress("j1", 0.5)],
            CancelRequest => [final, new RequestError("There is no running clone job with id j1.", "cancel-clone")],
            _ => [],
        });
        var display = new RecordingDisplay { OnReport = _ => interrupt.Cancel() };

        Assert.IsType<JobOutcome.Succeeded>(await Run(core, display, interrupt.Token));
    }

    [Fact]
    public async Task Messages_of_other_jobs_and_other_kinds_pass_by()
    {
        var final = Progress("j1", 1.0) with { Finish = Start };
        var core = new FakeCore(request => request is CloneRequest
            ? [Progress("j1", 0), Progress("other", 0.7), Failure("other", "not ours"), Progress("j1", 0.3) with { Kind = JobKind.Verify }, new StatusEvent(CoreStatus.Running), final]
            : []);
        var display = new RecordingDisplay();

        Assert.IsType<JobOutcome.Succeeded>(await Run(core, display));
        Assert.Equal([0, 1.0], display.Reports.Select(p => p.Complete));
    }
}
