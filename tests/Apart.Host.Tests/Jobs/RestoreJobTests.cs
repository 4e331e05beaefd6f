using Apart.Abstractions;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;
using Apart.Testing;

namespace Apart.Host.Tests.Jobs;

/// <summary>Restores to real loop devices (root): the destination is claimed, written, completed by the imager and flushed.</summary>
public sealed class RestoreJobTests : EngineTests
{
    private readonly LoopDevice? _loop = Environment.IsPrivilegedProcess ? LoopDevice.Create(1 << 20) : null;

    public RestoreJobTests()
    {
        if (_loop is not null)
        {
            Engine.Inventory.Add(Path.GetFileName(_loop.Path), _loop.Size, fsType: null);
        }
    }

    private LoopDevice Device => _loop!;

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            _loop?.Dispose();
        }
    }

    [RootFact]
    public async Task The_image_reaches_the_device_which_the_imager_completes_before_the_flush()
    {
        var bytes = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7)).ToArray();
        var image = await ImageAsync("good", bytes);

        Engine.Route(new RestoreRequest(image, Device.Path));

        var messages = new List<JobProgress>();
        do
        {
            messages.Add(await Engine.Transport.NextAsync<JobProgress>());
        }
        while (messages[^1].Finish is null);

        Assert.Contains(messages, progress => progress.Syncing);
        Assert.Equal([Device.Path], Engine.Imager.Completed);
        Assert.Equal([Device.Path], Engine.Inventory.Asked); // checked alone, not with the whole list
        var written = new byte[bytes.Length];
        await using (var device = File.OpenRead(Device.Path))
        {
            await device.ReadExactlyAsync(written);
        }

        Assert.Equal(bytes, written);
    }

    [RootFact]
    public async Task An_imager_that_stops_before_the_images_end_has_not_restored_it()
    {
        var image = await ImageAsync("long", new byte[512 * 1024]);
        Engine.Imager.RestoreWith = device => new CommandLine("head", ["-c", "1000"]);

        Engine.Route(new RestoreRequest(image, Device.Path));

        var failed = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Contains("smaller than the image", failed.Error, StringComparison.Ordinal);
        Assert.Empty(Engine.Imager.Completed);
    }

    [RootFact]
    public async Task A_device_smaller_than_the_images_source_is_refused_before_a_byte_is_written()
    {
        var image = await ImageAsync("big", new byte[2 << 20]);

        Engine.Route(new RestoreRequest(image, Device.Path));

        var refused = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Contains("too small", refused.Error, StringComparison.Ordinal);
        Assert.Equal(refused.Start, refused.Finish);
    }

    [RootFact]
    public async Task The_images_source_size_is_read_while_the_destination_is_listed()
    {
        var image = await ImageAsync("good", new byte[64 * 1024]);
        Engine.Inventory.Hang();

        Engine.Route(new RestoreRequest(image, Device.Path));

        // Read before the listing is let go: the two overlap, the image's header waits for no lsblk.
        await Engine.Imager.SourceSizeReading.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Engine.Inventory.Release();
        JobProgress progress;
        do
        {
            progress = await Engine.Transport.NextAsync<JobProgress>();
        }
        while (progress.Finish is null);

        Assert.Equal([Device.Path], Engine.Imager.Completed);
    }

    [RootFact]
    public async Task A_destination_that_is_not_listed_is_refused_at_once_and_the_images_header_no_longer_read()
    {
        var image = await ImageAsync("good", new byte[64 * 1024]);
        Engine.Imager.HoldSourceSize = true;

        Engine.Route(new RestoreRequest(image, "/dev/loop-not-listed"));

        var refused = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Contains("/dev/loop-not-listed is not a listed partition", refused.Error, StringComparison.Ordinal);
        Assert.True(Engine.Imager.SourceSizeReading.Task.IsCompleted, "the header's reading had begun");
        Assert.True(Engine.Imager.SourceSizeCancelled, "the header's reading was stopped");
    }

    private async Task<string> ImageAsync(string name, byte[] bytes)
    {
        var path = Path.Join(Engine.Images, $"{name}-2024-05-03T1020.apt.{FakeImager.Format}.uncompressed");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }
}
