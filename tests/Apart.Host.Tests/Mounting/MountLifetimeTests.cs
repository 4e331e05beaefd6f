using Apart.Host.Core;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Mounting;

/// <summary>
/// How long a mount lives (docs/PROTOCOL.md §11): a connect-mode core's as long as its presenter,
/// a service's as long as the service; whoever ends a core ends its mounts, before it says dying.
/// </summary>
public sealed class MountLifetimeTests
{
    private static CoreOptions Connect => new("ipc:///tmp/x.ipc", "/none", "/tmp/none")
    {
        ConnectTimeout = TimeSpan.FromMilliseconds(300),
        PresenterGrace = TimeSpan.FromMilliseconds(300),
    };

    private static CoreOptions Service => new("ipc:///tmp/x.ipc", "/none", "/tmp/none") { Service = new ServiceOptions("ipc:///tmp/x.ipc") };

    private static async Task<ImageMounted> MountAsync(Engine engine)
    {
        var image = Path.Join(engine.Images, "work-2017-05-03T1020.apt.fake.uncompressed");
        await File.WriteAllTextAsync(image, "bytes");
        engine.Transport.Send(new MountImageRequest(image));
        return await engine.Transport.NextAsync<ImageMounted>();
    }

    [Fact]
    public async Task A_connect_mode_core_unmounts_everything_when_its_presenter_is_gone()
    {
        await using var engine = new Engine(Connect, listAtStart: true, bySession: true);
        var running = engine.Get<ConnectSession>().RunAsync(engine.Transport, CancellationToken.None);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        await MountAsync(engine);
        await MountAsync(engine);

        engine.Transport.Disconnect();

        Assert.Equal(ExitStatus.PresenterLost, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, engine.Mounts.UnmountedAll);
        Assert.Empty(engine.Mounts.Current);
    }

    [Fact]
    public async Task A_connect_mode_core_keeps_its_mounts_through_a_moments_disconnection()
    {
        await using var engine = new Engine(Connect with { PresenterGrace = TimeSpan.FromSeconds(5) }, listAtStart: true, bySession: true);
        var running = engine.Get<ConnectSession>().RunAsync(engine.Transport, CancellationToken.None);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        var mounted = await MountAsync(engine);

        engine.Transport.Disconnect();
        engine.Transport.Connect();
        engine.Transport.Send(new StatusRequest());

        Assert.Equal(mounted.Id, Assert.Single((await engine.Transport.NextAsync<StatusEvent>(status => status.Status == CoreStatus.Running)).Mounts!).Id);
        Assert.Equal(0, engine.Mounts.UnmountedAll);
        engine.Transport.Send(new KillRequest());
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_kill_request_unmounts_everything_before_dying()
    {
        await using var engine = new Engine(Connect, listAtStart: true, bySession: true);
        var running = engine.Get<ConnectSession>().RunAsync(engine.Transport, CancellationToken.None);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        await MountAsync(engine);

        engine.Transport.Send(new KillRequest());

        Assert.Equal(CoreStatus.Dying, (await engine.Transport.NextAsync<StatusEvent>(status => status.Status == CoreStatus.Dying)).Status);
        Assert.Equal(1, engine.Mounts.UnmountedAll);
        Assert.Empty(engine.Mounts.Current);
        Assert.Equal(ExitStatus.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_service_keeps_its_mounts_while_presenters_come_and_go_and_unmounts_them_when_it_stops()
    {
        await using var engine = new Engine(Service, bySession: true);
        using var stopping = new CancellationTokenSource();
        var running = engine.Get<ServiceSession>().RunAsync(engine.Transport, stopping.Token);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        var mounted = await MountAsync(engine);

        engine.Transport.Disconnect();
        engine.Transport.Connect();
        var greeting = await engine.Transport.NextAsync<StatusEvent>();

        Assert.Equal(mounted.Id, Assert.Single(greeting.Mounts!).Id);
        Assert.Equal(0, engine.Mounts.UnmountedAll);
        await stopping.CancelAsync();
        Assert.Equal(ExitStatus.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, engine.Mounts.UnmountedAll);
    }

    [Fact]
    public async Task A_service_presenter_that_leaves_cancels_the_mount_it_is_waiting_for()
    {
        await using var engine = new Engine(Service, bySession: true);
        using var stopping = new CancellationTokenSource();
        var running = engine.Get<ServiceSession>().RunAsync(engine.Transport, stopping.Token);
        engine.Transport.Connect();
        await engine.Transport.NextAsync<StatusEvent>();
        engine.RandomAccess.Hangs = true;
        var image = Path.Join(engine.Images, "work-2017-05-03T1020.apt.fake.uncompressed");
        await File.WriteAllTextAsync(image, "bytes");
        engine.Transport.Send(new MountImageRequest(image));
        await engine.RandomAccess.Indexing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        engine.Transport.Disconnect();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!engine.RandomAccess.SawCancellation && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(engine.RandomAccess.SawCancellation);
        Assert.Empty(engine.Mounts.Requests);
        await stopping.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
