using Apart.Host.Core;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Core;

/// <summary>The two ways a core lives with its presenters, over one engine, each ending as docs/PROTOCOL.md §1 and §8 say.</summary>
public sealed class SessionTests
{
    private static CoreOptions Connect => new("ipc:///tmp/x.ipc", "/none", "/tmp/none")
    {
        ConnectTimeout = TimeSpan.FromMilliseconds(300),
        PresenterGrace = TimeSpan.FromMilliseconds(300),
    };

    private static CoreOptions Service => new("ipc:///tmp/x.ipc", "/none", "/tmp/none") { Service = new ServiceOptions("ipc:///tmp/x.ipc") };

    [Fact]
    public async Task Connect_mode_greets_with_started_and_a_kill_request_ends_it_with_dying_and_0()
    {
        await using var engine = new Engine(Connect, listAtStart: true, bySession: true);
        engine.Inventory.Add("sdz", 1 << 20);
        var running = engine.Get<ConnectSession>().RunAsync(engine.Transport, CancellationToken.None);

        engine.Transport.Connect();
        var started = await engine.Transport.NextAsync<StatusEvent>();
        Assert.Equal((CoreStatus.Started, "sdz"), (started.Status, Assert.Single(started.Sources!).Name));
        engine.Transport.Send(new KillRequest());

        Assert.Equal(ExitStatus.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(CoreStatus.Dying, (await engine.Transport.NextAsync<StatusEvent>()).Status);
    }

    [Fact]
    public async Task Connect_mode_gives_up_on_a_presenter_that_never_comes()
    {
        await using var engine = new Engine(Connect, listAtStart: true, bySession: true);

        var code = await engine.Get<ConnectSession>().RunAsync(engine.Transport, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ExitStatus.PresenterLost, code);
    }

    [Fact]
    public async Task Connect_mode_cancels_its_jobs_and_ends_when_the_presenter_is_gone_past_the_grace()
    {
        await using var engine = new Engine(Connect, listAtStart: true, bySession: true);
        var device = engine.Inventory.Add("apart-absent", 1 << 20);
        engine.Imager.CloneWith = _ => new Abstractions.CommandLine("sleep", ["30"]);
        var running = engine.Get<ConnectSession>().RunAsync(engine.Transport, CancellationToken.None);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        engine.Transport.Send(new CloneRequest(device.DevicePath, engine.Images, "held", "uncompressed"));
        await engine.Transport.NextAsync<JobProgress>();

        engine.Transport.Disconnect();

        Assert.Equal(ExitStatus.PresenterLost, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Empty(engine.Jobs.Running);
        Assert.Empty(Directory.EnumerateFileSystemEntries(engine.Images));
    }

    [Fact]
    public async Task Connect_mode_stops_on_SIGTERM_with_dying_and_0()
    {
        await using var engine = new Engine(Connect, listAtStart: true, bySession: true);
        using var stopping = new CancellationTokenSource();
        var running = engine.Get<ConnectSession>().RunAsync(engine.Transport, stopping.Token);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();

        await stopping.CancelAsync();

        Assert.Equal(ExitStatus.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(CoreStatus.Dying, (await engine.Transport.NextAsync<StatusEvent>()).Status);
    }

    [Fact]
    public async Task Service_mode_greets_each_presenter_with_running_refuses_kill_requests_and_outlives_presenters()
    {
        await using var engine = new Engine(Service, bySession: true);
        using var stopping = new CancellationTokenSource();
        var running = engine.Get<ServiceSession>().RunAsync(engine.Transport, stopping.Token);

        engine.Transport.Connect();
        Assert.Equal(CoreStatus.Running, (await engine.Transport.NextAsync<StatusEvent>()).Status);
        engine.Transport.Send(new KillRequest());
        Assert.Equal(MessageTypes.KillRequest, (await engine.Transport.NextAsync<RequestError>()).Request);
        engine.Transport.Disconnect();
        engine.Transport.Connect();
        Assert.Equal(CoreStatus.Running, (await engine.Transport.NextAsync<StatusEvent>()).Status);
        Assert.False(running.IsCompleted);

        await stopping.CancelAsync();
        Assert.Equal(ExitStatus.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(CoreStatus.Dying, (await engine.Transport.NextAsync<StatusEvent>()).Status);
    }

    [Fact]
    public async Task Service_mode_sends_a_presenter_its_greeting_before_any_job_message_posted_while_the_greeting_was_being_built()
    {
        await using var engine = new Engine(Service, bySession: true);
        using var stopping = new CancellationTokenSource();
        var running = engine.Get<ServiceSession>().RunAsync(engine.Transport, stopping.Token);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        engine.Transport.Disconnect();
        var start = DateTimeOffset.UnixEpoch;
        var inFlight = new JobProgress(JobKind.Clone, "1", "/dev/sdz", "/images/x.apt.gz", start) { Complete = 0.5 };
        var finished = inFlight with { Id = "2", Complete = 1.0, Finish = start.AddMinutes(1) };

        // The next presenter's greeting waits on a device listing while jobs go on posting.
        engine.Inventory.Hang();
        var listings = engine.Inventory.Listings;
        engine.Transport.Connect();
        while (engine.Inventory.Listings == listings)
        {
            await Task.Delay(5);
        }

        engine.Outbox.Post(inFlight);
        engine.Outbox.Post(finished);
        engine.Inventory.Release();

        // Greeted first; the job that ended meanwhile is told after it; the progress the greeting
        // supersedes (it lists every running job's latest) is not sent at all.
        Assert.Equal(CoreStatus.Running, Assert.IsType<StatusEvent>(await engine.Transport.NextAsync()).Status);
        Assert.Equal("2", Assert.IsType<JobProgress>(await engine.Transport.NextAsync()).Id);
        engine.Transport.Send(new StatusRequest());
        Assert.IsType<StatusEvent>(await engine.Transport.NextAsync());

        await stopping.CancelAsync();
        Assert.Equal(ExitStatus.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
