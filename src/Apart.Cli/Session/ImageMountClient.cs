using Apart.Protocol;

namespace Apart.Cli.Session;

/// <summary>
/// The <c>mount-image</c> and <c>unmount-image</c> exchanges with a core (docs/PROTOCOL.md §11):
/// sends the request and waits for its answer, passing by whatever else the core says meanwhile
/// (another presenter's job progress, a status).
/// </summary>
internal sealed class ImageMountClient(ICoreChannel core)
{
    /// <summary>Mounts an image; its mount.</summary>
    /// <exception cref="MountRefusedException">The core refused it; the message is its reason.</exception>
    public async Task<ImageMounted> MountAsync(MountImageRequest request, CancellationToken cancellationToken)
    {
        await core.SendAsync(request, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            switch (await core.ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                case ImageMounted mounted when mounted.Source == request.Source:
                    return mounted;
                case ImageMountFailed failed when failed.Source == request.Source:
                    throw new MountRefusedException(failed.Error);
                case RequestError error when error.Request is MessageTypes.MountImage or null:
                    throw new MountRefusedException(error.Error);
            }
        }
    }

    /// <summary>Unmounts the mount <paramref name="id"/>.</summary>
    /// <exception cref="MountRefusedException">The core could not (busy: the processes named); the message is its reason.</exception>
    public async Task UnmountAsync(string id, CancellationToken cancellationToken)
    {
        await core.SendAsync(new UnmountImageRequest(id), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            switch (await core.ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                case ImageUnmounted unmounted when unmounted.Id == id:
                    return;
                case ImageUnmountFailed failed when failed.Id == id:
                    throw new MountRefusedException(failed.Error);
                case RequestError error when error.Request is MessageTypes.UnmountImage or null:
                    throw new MountRefusedException(error.Error);
            }
        }
    }

    /// <summary>
    /// Mounts an image, lets <paramref name="use"/> read it, and unmounts it whatever happens (the
    /// one-shot commands). Unmounting is not cut short by <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<T> WithMountAsync<T>(MountImageRequest request, Func<ImageMounted, Task<T>> use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        var mounted = await MountAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            return await use(mounted).ConfigureAwait(false);
        }
        finally
        {
            using var unmounting = new CancellationTokenSource(UnmountTimeout);
            await UnmountAsync(mounted.Id, unmounting.Token).ConfigureAwait(false);
        }
    }

    /// <summary>How long an unmount may take before the presenter stops waiting for it.</summary>
    public static readonly TimeSpan UnmountTimeout = TimeSpan.FromSeconds(60);
}

/// <summary>The core refused to mount or unmount; the message is its reason.</summary>
internal sealed class MountRefusedException(string message) : Exception(message);
