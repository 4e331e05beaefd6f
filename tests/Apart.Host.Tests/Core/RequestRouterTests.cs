using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Core;

public sealed class RequestRouterTests : EngineTests
{

    [Fact]
    public async Task A_message_that_is_not_a_request_is_answered_with_an_error_and_the_router_goes_on()
    {
        Assert.False(Engine.Router.Route("- a list\n"u8.ToArray()));
        Assert.Contains("mapping", (await Engine.Transport.NextAsync<RequestError>()).Error, StringComparison.Ordinal);

        Assert.False(Engine.Route(new StatusRequest()));
        Assert.Equal(CoreStatus.Running, (await Engine.Transport.NextAsync<StatusEvent>()).Status);
    }

    [Fact]
    public async Task A_kill_request_is_recognised_at_once_even_while_the_inventory_hangs()
    {
        Engine.Inventory.Hang();
        Assert.False(Engine.Route(new StatusRequest()));
        Assert.False(Engine.Route(new CloneRequest("/dev/apart-absent", Engine.Images, "x", "uncompressed")));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Engine.Inventory.Listings < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10); // the status answer and the clone's check both wait on the inventory
        }

        Assert.True(Engine.Route(new KillRequest()));

        // Both wait on an inventory that hangs until cancelled: completing at all is the point.
        await Engine.Router.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await Engine.Jobs.CancelAllAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("The core is shutting down.", (await Engine.Transport.NextAsync<JobFailed>()).Error);
        Assert.Equal(2, Engine.Inventory.Cancelled);
    }

    [Fact]
    public async Task A_running_status_lists_the_devices_and_the_jobs_in_flight()
    {
        var device = Engine.Inventory.Add("apart-absent", 1 << 20);
        Engine.Imager.CloneWith = _ => new Abstractions.CommandLine("sleep", ["30"]);
        Engine.Route(new CloneRequest(device.DevicePath, Engine.Images, "held", CompressionOptions.Order[1]));
        var first = await Engine.Transport.NextAsync<JobProgress>();

        Engine.Route(new StatusRequest());
        var status = await Engine.Transport.NextAsync<StatusEvent>();

        Assert.Equal("apart-absent", Assert.Single(status.Sources!).Name);
        Assert.Equal(first.Id, Assert.Single(status.Jobs!).Id);
        Assert.Equal(["uncompressed"], status.CompressionOptions);
    }

    [Fact]
    public async Task Cancelling_a_job_that_is_not_running_says_so()
    {
        Engine.Route(new CancelRequest(JobKind.Restore, "nosuchid"));

        var error = await Engine.Transport.NextAsync<RequestError>();
        Assert.Equal(MessageTypes.Cancel(JobKind.Restore), error.Request);
        Assert.Contains("nosuchid", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_file_that_is_not_an_image_is_refused()
    {
        var notes = Path.Join(Engine.Directory, "notes.txt");
        await File.WriteAllTextAsync(notes, "keep me");

        Engine.Route(new DeleteCloneRequest(notes));

        Assert.Equal(notes, (await Engine.Transport.NextAsync<CloneDeleteFailed>()).File);
        Assert.True(File.Exists(notes));
    }
}
