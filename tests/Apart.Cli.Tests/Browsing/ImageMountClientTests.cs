using Apart.Cli.Session;
using Apart.Cli.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Cli.Tests.Browsing;

/// <summary>The mount and unmount exchanges, against a scripted core.</summary>
public sealed class ImageMountClientTests
{
    private static readonly MountImageRequest Request = new("/b/w-2024-05-03T1020.apt.ext4.gz");
    private static readonly ImageMounted Mounted = new("m1", Request.Source, "/run/apart-core/mounts/m1", "ext4");

    [Fact]
    public async Task A_mount_passes_by_other_messages_to_its_answer()
    {
        var core = new FakeCore(request => request is MountImageRequest
            ? [new ImageMounted("other", "/b/other.apt.ext4.gz", "/x", "ext4"), new StatusEvent(CoreStatus.Running), Mounted]
            : []);

        Assert.Equal(Mounted, await new ImageMountClient(core).MountAsync(Request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_refusal_carries_the_cores_reason()
    {
        var failed = new FakeCore(_ => [new ImageMountFailed(Request.Source, "The image is damaged: bad header.")]);
        var unread = new FakeCore(_ => [new RequestError("Unknown request type 'mount-image'.", MessageTypes.MountImage)]);

        Assert.Equal("The image is damaged: bad header.", (await Assert.ThrowsAsync<MountRefusedException>(() => new ImageMountClient(failed).MountAsync(Request, CancellationToken.None))).Message);
        Assert.Equal("Unknown request type 'mount-image'.", (await Assert.ThrowsAsync<MountRefusedException>(() => new ImageMountClient(unread).MountAsync(Request, CancellationToken.None))).Message);
    }

    [Fact]
    public async Task A_busy_unmount_names_the_process()
    {
        var core = new FakeCore(request => request is UnmountImageRequest { Id: var id }
            ? [new ImageUnmountFailed(id, "It is in use: bash (pid 4242) has files open there.")]
            : []);

        var refused = await Assert.ThrowsAsync<MountRefusedException>(() => new ImageMountClient(core).UnmountAsync("m1", CancellationToken.None));

        Assert.Contains("pid 4242", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_shot_unmounts_after_its_work_even_when_the_work_fails()
    {
        var core = new FakeCore(request => request switch
        {
            MountImageRequest => [Mounted],
            UnmountImageRequest { Id: var id } => [new ImageUnmounted(id)],
            _ => [],
        });

        await Assert.ThrowsAsync<IOException>(() => new ImageMountClient(core).WithMountAsync<int>(Request, _ => throw new IOException("EIO"), CancellationToken.None));

        Assert.Equal([Request, new UnmountImageRequest("m1")], core.Received);
    }
}
