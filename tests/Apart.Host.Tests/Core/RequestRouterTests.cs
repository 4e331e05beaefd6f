using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Core;

public sealed class RequestRouterTests : IAsyncDisposable
{
    private readonly Engine _engine = new();

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_message_that_is_not_a_request_is_answered_with_an_error_and_the_router_goes_on()
    {
        Assert.False(_engine.Router.Route("- a list\n"u8.ToArray()));
        Assert.Contains("mapping", (await _engine.Transport.NextAsync<RequestError>()).Error, StringComparison.Ordinal);

        Assert.False(_engine.Route(new StatusRequest()));
        Assert.Equal(CoreStatus.Running, (await _engine.Transport.NextAsync<StatusEvent>()).Status);
    }

    [Fact]
    public async Task A_kill_request_is_recognised_at_once_even_while_the_inventory_hangs()
    {
        _engine.Inventory.Hang();
        Assert.False(_engine.Route(new StatusRequest()));
        Assert.False(_engine.Route(new CloneRequest("/dev/apart-absent", _engine.Images, "x", "uncompressed")));

        Assert.True(_engine.Route(new KillRequest()));

        await _engine.Router.StopAsync().WaitAsync(TimeSpan.FromSeconds(1));
        await _engine.Jobs.CancelAllAsync().WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("The core is shutting down.", (await _engine.Transport.NextAsync<JobFailed>()).Error);
        Assert.True(_engine.Inventory.Cancelled >= 1);
    }

    [Fact]
    public async Task A_running_status_lists_the_devices_and_the_jobs_in_flight()
    {
        var device = _engine.Inventory.Add("apart-absent", 1 << 20);
        _engine.Imager.CloneWith = _ => new Abstractions.CommandLine("sleep", ["30"]);
        _engine.Route(new CloneRequest(device.DevicePath, _engine.Images, "held", CompressionOptions.Order[1]));
        var first = await _engine.Transport.NextAsync<JobProgress>();

        _engine.Route(new StatusRequest());
        var status = await _engine.Transport.NextAsync<StatusEvent>();

        Assert.Equal("apart-absent", Assert.Single(status.Sources!).Name);
        Assert.Equal(first.Id, Assert.Single(status.Jobs!).Id);
        Assert.Equal(["uncompressed"], status.CompressionOptions);
    }

    [Fact]
    public async Task Cancelling_a_job_that_is_not_running_says_so()
    {
        _engine.Route(new CancelRequest(JobKind.Restore, "nosuchid"));

        var error = await _engine.Transport.NextAsync<RequestError>();
        Assert.Equal(MessageTypes.Cancel(JobKind.Restore), error.Request);
        Assert.Contains("nosuchid", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_file_that_is_not_an_image_is_refused()
    {
        var notes = Path.Join(_engine.Directory, "notes.txt");
        await File.WriteAllTextAsync(notes, "keep me");

        _engine.Route(new DeleteCloneRequest(notes));

        Assert.Equal(notes, (await _engine.Transport.NextAsync<CloneDeleteFailed>()).File);
        Assert.True(File.Exists(notes));
    }
}
