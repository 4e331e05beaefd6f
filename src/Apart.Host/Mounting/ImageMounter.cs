using System.Diagnostics.CodeAnalysis;
using Apart.Abstractions;
using Apart.Host.Core;
using Apart.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Mounting;

/// <summary>
/// Answers <c>mount-image</c> and <c>unmount-image</c> (docs/PROTOCOL.md §11). A mount is checked
/// first (<see cref="MountableImages"/>), then its files are opened as one source, decompressed in
/// place by the codec's <see cref="IRandomAccessCodec"/>, read as the device the imager's
/// <see cref="IImageReader"/> finds in it, and handed to <see cref="IImageMounts"/>. Each request
/// is worked on beside the request loop (opening a gz image the first time reads it whole, to
/// index it), so the presenter's other messages are answered meanwhile.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "One mounter lives as long as the core; its token sources have no timer.")]
internal sealed class ImageMounter(
    MountableImages images,
    IEnumerable<IRandomAccessCodec> randomAccess,
    MountIndexFiles indexes,
    Outbox outbox,
    IServiceProvider plugins,
    ILogger<ImageMounter> logger)
{
    /// <summary>The most decompressed data one mounted image holds in memory (docs/PROTOCOL.md §11, README).</summary>
    public const long CacheBytes = 64L * 1024 * 1024;

    // IImageReader.Mount only builds a command line: asked once up front with these, it says
    // whether this machine can mount the format before anything is opened or indexed.
    private const string ProbeDevice = "/dev/loop0";
    private const string ProbeMountPoint = "/mnt";

    private readonly List<IRandomAccessCodec> _randomAccess = [.. randomAccess];
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _pending = [];
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource _presenter = new();

    /// <summary>The images mounted now, as a running status lists them.</summary>
    public IReadOnlyList<ListedMount> Listed =>
        Mounts?.Current.Select(mount => new ListedMount(mount.Id, mount.Source, mount.Path)).ToList() ?? [];

    // The host's mounts, registered by the host itself; absent only in a host built without them.
    private IImageMounts? Mounts => plugins.GetService<IImageMounts>();

    /// <summary>Starts a mount; its answer (<c>mounted-image</c> or <c>mount-image-failed</c>) is posted when it is done.</summary>
    /// <param name="request">The request.</param>
    /// <param name="presenter">Who asked: a presenter that is not root mounts only what it may read, onto what it owns.</param>
    public void Mount(MountImageRequest request, PeerCredentials? presenter)
    {
        CancellationToken leaving;
        lock (_gate)
        {
            leaving = _presenter.Token;
        }

        Track(MessageTypes.MountImage, async stopping =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(leaving, stopping);
            try
            {
                if (MountNamespaces.Differ(presenter) is { } elsewhere)
                {
                    return new ImageMountFailed(request.Source, elsewhere);
                }

                return await MountAsync(request, PresenterRights.Of(presenter), stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return new ImageMountFailed(request.Source, stopping.IsCancellationRequested ? "The core is shutting down." : "Cancelled: the presenter that asked went away.");
            }
        });
    }

    /// <summary>Starts an unmount; its answer (<c>unmounted-image</c> or <c>unmount-image-failed</c>) is posted when it is done.</summary>
    public void Unmount(UnmountImageRequest request) => Track(MessageTypes.UnmountImage, async stopping =>
    {
        if (Mounts is not { } mounts)
        {
            return new ImageUnmountFailed(request.Id, NoMounts);
        }

        try
        {
            await mounts.UnmountAsync(request.Id, stopping).ConfigureAwait(false);
            return new ImageUnmounted(request.Id);
        }
        catch (ImageMountException e)
        {
            return new ImageUnmountFailed(request.Id, e.Message);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return new ImageUnmountFailed(request.Id, "The core is shutting down: it unmounts every image as it goes.");
        }
    });

    /// <summary>The presenter went away: the mounts it asked for that are still being opened are cancelled (those made stay).</summary>
    public void PresenterLeft()
    {
        CancellationTokenSource left;
        lock (_gate)
        {
            left = _presenter;
            _presenter = new CancellationTokenSource();
        }

        left.Cancel();
        left.Dispose();
    }

    /// <summary>Cancels the requests under way and waits until each has answered: the core is ending.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Unmounts every image (the presenter of a connect-mode core went, or the core stops).</summary>
    public Task UnmountAllAsync(CancellationToken cancellationToken) => Mounts?.UnmountAllAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Checks, opens and mounts one image; the answer to post.</summary>
    internal async Task<CoreEvent> MountAsync(MountImageRequest request, PresenterRights? rights, CancellationToken cancellationToken)
    {
        var source = Printable.Bounded(request.Source);
        try
        {
            var image = await images.FindAsync(request, rights, cancellationToken).ConfigureAwait(false);
            var reader = plugins.GetService<IImageReader>() ?? plugins.GetService<IImager>() as IImageReader
                ?? throw new ImageMountException("The imaging plugin cannot read images in place: this core cannot mount images.");
            _ = reader.Mount(image.Format, ProbeDevice, request.MountPoint ?? ProbeMountPoint);
            var mounts = Mounts ?? throw new ImageMountException(NoMounts);
            var codec = _randomAccess.First(codec => codec.Name == image.Codec);
            var device = await OpenDeviceAsync(image, codec, reader, cancellationToken).ConfigureAwait(false);
            var mounted = await mounts.MountAsync(
                new ImageMountRequest(request.Source, device, image.FsType, (loop, mountPoint) => reader.Mount(image.Format, loop, mountPoint), request.MountPoint),
                cancellationToken).ConfigureAwait(false);
            logger.ImageMounted(mounted.Source, mounted.Path, mounted.Id);
            return new ImageMounted(mounted.Id, request.Source, mounted.Path, mounted.FsType);
        }
        catch (ImageMountException e)
        {
            return new ImageMountFailed(request.Source, e.Message);
        }
        catch (InvalidDataException e)
        {
            return new ImageMountFailed(request.Source, $"The image {source} is damaged: {MountableImages.Sentence(e.Message)}");
        }
        catch (NotSupportedException e)
        {
            return new ImageMountFailed(request.Source, $"{source} cannot be mounted on this machine: {MountableImages.Sentence(e.Message)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ImageMountFailed(request.Source, $"The image {source} cannot be read: {MountableImages.Sentence(e.Message)}");
        }
    }

    // The image's files as one source → decompressed in place → the device in it. Whatever was
    // opened is closed again if a later step fails; the device returned owns all of it.
    private async Task<IRandomAccessSource> OpenDeviceAsync(MountableImage image, IRandomAccessCodec codec, IImageReader reader, CancellationToken cancellationToken)
    {
        var options = new RandomAccessOptions(indexes.For(image.Pieces[0]), CacheBytes);
        var compressed = FileSource.Open(image.Pieces);
        IRandomAccessSource decompressed;
        try
        {
            decompressed = await codec.OpenAsync(compressed, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            compressed.Dispose();
            throw;
        }

        try
        {
            return reader.OpenDevice(image.Format, decompressed);
        }
        catch
        {
            decompressed.Dispose();
            throw;
        }
    }

    private void Track(string requestType, Func<CancellationToken, Task<CoreEvent>> work)
    {
        var stopping = _stopping.Token;
        var task = Task.Run(async () =>
        {
            try
            {
                outbox.Post(await work(stopping).ConfigureAwait(false));
            }
#pragma warning disable CA1031 // Whatever a request holds, it is answered and the core goes on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.RequestCrashed(e);
                outbox.Post(new RequestError($"The core could not handle this request: {e.Message}", requestType));
            }
        });
        lock (_gate)
        {
            _pending.Add(task);
        }

        _ = task.ContinueWith(
            done =>
            {
                lock (_gate)
                {
                    _pending.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private const string NoMounts = "This core cannot mount images: it was built without its mounting.";
}
