using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Jobs;

public sealed class JobRegistryTests : IAsyncDisposable
{
    private readonly Engine _engine = new();

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task Requests_are_checked_one_at_a_time_in_the_order_they_came()
    {
        var device = _engine.Inventory.Add("apart-absent", 1 << 20);
        _engine.Inventory.Hang();
        var first = _engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, _engine.Images, "first", "uncompressed"));
        var second = _engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, _engine.Images, "second", "uncompressed"));
        await WaitUntilAsync(() => _engine.Inventory.Listings == 1);
        await Task.Delay(200);

        Assert.Equal(1, _engine.Inventory.Listings); // the second waits for the first's check
        _engine.Inventory.Release();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));

        var messages = new List<CoreEvent>();
        for (var i = 0; i < 4; i++)
        {
            messages.Add(await _engine.Transport.NextAsync());
        }

        var starts = messages.OfType<JobProgress>().Where(progress => progress.Complete == 0).ToList();
        Assert.True(starts.Count == 2, string.Join("\n", messages));
        Assert.Contains("/first-", starts[0].Destination, StringComparison.Ordinal);
        Assert.Contains("/second-", starts[1].Destination, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ending_stops_the_check_under_way_refuses_the_queued_ones_and_takes_no_time()
    {
        var device = _engine.Inventory.Add("apart-absent", 1 << 20);
        _engine.Inventory.Hang();
        var started = Enumerable.Range(0, 5)
            .Select(i => _engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, _engine.Images, $"queued{i}", "uncompressed")))
            .ToList();
        await WaitUntilAsync(() => _engine.Inventory.Listings == 1);

        await _engine.Jobs.CancelAllAsync().WaitAsync(TimeSpan.FromSeconds(1));

        await Task.WhenAll(started).WaitAsync(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("The core is shutting down.", (await _engine.Transport.NextAsync<JobFailed>()).Error);
        }

        Assert.Equal(1, _engine.Inventory.Cancelled);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_engine.Images));
    }

    [Fact]
    public async Task A_job_is_cancelled_only_by_its_own_kind_and_id_and_is_listed_while_it_runs()
    {
        var device = _engine.Inventory.Add("apart-absent", 1 << 20);
        _engine.Imager.CloneWith = _ => new Abstractions.CommandLine("sleep", ["30"]);
        await _engine.Jobs.StartAsync(new CloneRequest(device.DevicePath, _engine.Images, "held", "uncompressed"));
        var first = await _engine.Transport.NextAsync();
        Assert.True(first is JobProgress, first.ToString());
        var job = Assert.Single(_engine.Jobs.Running);

        Assert.False(_engine.Jobs.Cancel(JobKind.Restore, job.Id));
        Assert.False(_engine.Jobs.Cancel(JobKind.Clone, "someone-else"));
        Assert.Equal(job.Id, Assert.Single(_engine.Jobs.Progress).Id);
        Assert.Same(job, _engine.Jobs.UsingFile(job.Destination + ".inprogress"));

        Assert.True(_engine.Jobs.Cancel(JobKind.Clone, job.Id));
        Assert.Equal(JobFailed.Cancelled, (await _engine.Transport.NextAsync<JobFailed>()).Error);
        Assert.Empty(_engine.Jobs.Running);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_engine.Images));
    }

    [Fact]
    public async Task A_request_that_cannot_start_is_refused_with_a_fresh_id_and_start_equal_to_finish()
    {
        await _engine.Jobs.StartAsync(new VerifyRequest("relative/path"));

        var refused = await _engine.Transport.NextAsync<JobFailed>();
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
