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

    private async Task<string> ImageAsync(string name, byte[] bytes)
    {
        var path = Path.Join(Engine.Images, $"{name}-2024-05-03T1020.apt.{FakeImager.Format}.uncompressed");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }
}
