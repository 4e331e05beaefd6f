using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Jobs;

public sealed class JobRegistryTests : EngineTests
{

    [Fact]
    public async Task Requests_are_checked_one_at_a_time_in_the_order_they_came()
    {
        var device = Engine.Inventory.Add("apart-absent", 1 << 20);
        Engine.Inventory.Hang();
        var first = Engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, Engine.Images, "first", "uncompressed"));
        var second = Engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, Engine.Images, "second", "uncompressed"));
        await WaitUntilAsync(() => Engine.Inventory.Listings == 1);
        await Task.Delay(200);

        Assert.Equal(1, Engine.Inventory.Listings); // the second waits for the first's check
        Engine.Inventory.Release();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));

        var messages = new List<CoreEvent>();
        for (var i = 0; i < 4; i++)
        {
            messages.Add(await Engine.Transport.NextAsync());
        }

        var starts = messages.OfType<JobProgress>().Where(progress => progress.Complete == 0).ToList();
        Assert.True(starts.Count == 2, string.Join("\n", messages));
        Assert.Contains("/first-", starts[0].Destination, StringComparison.Ordinal);
        Assert.Contains("/second-", starts[1].Destination, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ending_stops_the_check_under_way_and_refuses_the_queued_ones_without_waiting_for_them()
    {
        // The check hangs until cancelled: an ending that waited for it, or for the checks queued
        // behind it, would never complete. (The bound is generous: a loaded machine is slow, not wrong.)
        var device = Engine.Inventory.Add("apart-absent", 1 << 20);
        Engine.Inventory.Hang();
        var started = Enumerable.Range(0, 5)
            .Select(i => Engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, Engine.Images, $"queued{i}", "uncompressed")))
            .ToList();
        await WaitUntilAsync(() => Engine.Inventory.Listings == 1);

        await Engine.Jobs.CancelAllAsync().WaitAsync(TimeSpan.FromSeconds(10));

        await Task.WhenAll(started).WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("The core is shutting down.", (await Engine.Transport.NextAsync<JobFailed>()).Error);
        }

        Assert.Equal(1, Engine.Inventory.Cancelled);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Engine.Images));
    }

    [Fact]
    public async Task A_job_is_cancelled_only_by_its_own_kind_and_id_and_is_listed_while_it_runs()
    {
        var device = Engine.Inventory.Add("apart-absent", 1 << 20);
        Engine.Imager.CloneWith = _ => new Abstractions.CommandLine("sleep", ["30"]);
        await Engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, Engine.Images, "held", "uncompressed"));
        var first = await Engine.Transport.NextAsync();
        Assert.True(first is JobProgress, first.ToString());
        var job = Assert.Single(Engine.Jobs.Running);

        Assert.False(Engine.Jobs.Cancel(JobKind.Restore, job.Id));
        Assert.False(Engine.Jobs.Cancel(JobKind.Clone, "someone-else"));
        Assert.Equal(job.Id, Assert.Single(Engine.Jobs.Progress).Id);
        Assert.Same(job, Engine.Jobs.UsingFile(job.Destination + ".inprogress"));

        Assert.True(Engine.Jobs.Cancel(JobKind.Clone, job.Id));
        Assert.Equal(JobFailed.Cancelled, (await Engine.Transport.NextAsync<JobFailed>()).Error);
        Assert.Empty(Engine.Jobs.Running);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Engine.Images));
    }

    [Fact]
    public async Task A_request_that_cannot_start_is_refused_with_a_fresh_id_and_start_equal_to_finish()
    {
        await Engine.Jobs.StartAsync(new VerifyRequest("relative/path"));

        var refused = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Equal((JobKind.Verify, "relative/path"), (refused.Kind, refused.Source));
        Assert.Equal(refused.Start, refused.Finish);
        Assert.Contains("absolute", refused.Error, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }
}
