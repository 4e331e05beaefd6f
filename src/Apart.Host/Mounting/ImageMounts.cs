using System.Globalization;
using System.Security.Cryptography;
using Apart.Abstractions;
using Apart.Host.Core;
using Apart.Host.Jobs;
using Apart.Host.Native;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace Apart.Host.Mounting;

/// <summary>
/// The host's <see cref="IImageMounts"/>: each image's device bytes served by a
/// <see cref="FuseServer"/> of its own under <c>RUNTIME/fuse/ID</c>, its file attached read-only
/// to a loop device (through <see cref="LoopMapper"/>, so the core never lists it as a device of
/// the machine), and that mounted by the image's own mount command at the presenter's empty
/// directory or at <c>RUNTIME/mounts/ID</c>. Ids are six random hex digits.
/// </summary>
/// <remarks>
/// Every step is noted in the <see cref="MountJournal"/> before it is taken, and undone in reverse
/// order when a later one fails. Mounts and unmounts run one at a time.
/// </remarks>
internal sealed class ImageMounts(CoreOptions options, LoopMapper loops, MountJournal journal, ILogger<ImageMounts> logger) : IImageMounts, IDisposable
{
    /// <summary>Where, under the runtime directory, the core makes mount points when the presenter names none.</summary>
    internal const string MountPointsFolder = "mount-points";

    private static readonly UnixFileMode Browsable = FileModes.OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ImageMount> _mounts = [];

    /// <inheritdoc/>
    public IReadOnlyList<ImageMountInfo> Current
    {
        get
        {
            lock (_mounts)
            {
                return [.. _mounts.Select(mount => mount.Info)];
            }
        }
    }

    /// <inheritdoc/>
    public async Task<ImageMountInfo> MountAsync(ImageMountRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ImageMount? mount = null;
        try
        {
            CheckMountPoint(request.MountPoint);
            var id = NewId();
            mount = new ImageMount(request.Device, journal.Begin(id));
            var fuseDirectory = MakeDirectory(mount, Path.Join(options.RuntimeDirectory, "fuse"), id, FileModes.OwnerOnlyDirectory);

            mount.Record.Note(MountStep.Fuse, fuseDirectory);
            mount.Server = FuseServer.Start(fuseDirectory, request.Device, logger);
            using (var file = NativeFile.Open(mount.Server.FilePath, O_RDONLY))
            {
                mount.Loop = loops.Map(file, 0, request.Device.Length, writable: false, exclusive: false);
            }

            var mountPoint = request.MountPoint is { } given
                ? Path.GetFullPath(given).TrimEnd('/')
                : MakeDirectory(mount, Path.Join(options.RuntimeDirectory, MountPointsFolder), id, Browsable);
            mount.Record.Note(MountStep.Mount, mountPoint);
            mount.MountPoint = mountPoint;
            await RunAsync(request.MountCommand(mount.Loop.Path, mountPoint), request.FsType, cancellationToken).ConfigureAwait(false);
            if (!mount.IsMounted)
            {
                throw new IOException($"its mount command succeeded but nothing of {mount.Loop.Path} is mounted at {mountPoint}");
            }

            mount.Info = new ImageMountInfo(id, request.Source, mountPoint, request.FsType);
            lock (_mounts)
            {
                _mounts.Add(mount);
            }

            logger.ImageMounted(request.Source, request.FsType, mountPoint, id);
            return mount.Info;
        }
        catch (Exception e)
        {
            if (mount is null)
            {
                request.Device.Dispose();
            }
            else
            {
                Release(mount, lazy: true);
            }

            if (e is IOException or ProgramNotFoundException)
            {
                throw new ImageMountException($"Cannot mount {request.Source}: {e.Message}", e);
            }

            throw;
        }
        finally
        {
            _ = _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task UnmountAsync(string id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ImageMount mount;
            lock (_mounts)
            {
                mount = _mounts.FirstOrDefault(candidate => candidate.Info.Id == id)
                    ?? throw new ImageMountException($"No image is mounted as {id}.");
            }

            var errno = Mounts.Unmount(mount.MountPoint!, lazy: false);
            if (errno == EBUSY)
            {
                var holders = ProcessesUsing.Under(mount.MountPoint!);
                throw new ImageMountException(holders.Count == 0
                    ? $"{mount.MountPoint} is still in use."
                    : $"{mount.MountPoint} is still in use by {string.Join(", ", holders)}.");
            }

            if (errno != 0 && errno != EINVAL) // EINVAL: unmounted already, from outside
            {
                throw new ImageMountException($"Cannot unmount {mount.MountPoint}: {Errno.Describe(errno)}");
            }

            mount.MountPoint = null;
            Forget(mount);
            Release(mount, lazy: false);
            logger.ImageUnmounted(id, mount.Info.Path);
        }
        finally
        {
            _ = _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task UnmountAllAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<ImageMount> all;
            lock (_mounts)
            {
                all = [.. Enumerable.Reverse(_mounts)];
            }

            foreach (var mount in all)
            {
                Forget(mount);
                Release(mount, lazy: true);
                logger.ImageUnmounted(mount.Info.Id, mount.Info.Path);
            }
        }
        finally
        {
            _ = _gate.Release();
        }
    }

    /// <summary>Unmounts what is still mounted (lazily if busy): the core is stopping.</summary>
    public void Dispose()
    {
        UnmountAllAsync(CancellationToken.None).GetAwaiter().GetResult();
        _gate.Dispose();
    }

    private void Forget(ImageMount mount)
    {
        lock (_mounts)
        {
            _ = _mounts.Remove(mount);
        }
    }

    // Undoes what a mount did, last step first; lazily when its filesystem is busy.
    private void Release(ImageMount mount, bool lazy)
    {
        Undo("the mount", () =>
        {
            if (mount.IsMounted && Mounts.Unmount(mount.MountPoint!, lazy: false) == EBUSY && lazy)
            {
                _ = Mounts.Unmount(mount.MountPoint!, lazy: true);
                logger.ImageDetachedLazily(mount.MountPoint!);
            }
        });
        Undo("the loop device", () => mount.Loop?.Dispose());
        Undo("the FUSE server", () => mount.Server?.Unmount());
        Undo("the image", mount.Device.Dispose);
        foreach (var made in Enumerable.Reverse(mount.MadeDirectories))
        {
            Undo("a directory", () => Directory.Delete(made));
        }

        mount.Record.Remove();
    }

    private void Undo(string step, Action undo)
    {
        try
        {
            undo();
        }
#pragma warning disable CA1031 // One step that cannot be undone must not keep the others from being undone.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.MountUndoFailed(step, e.Message);
        }
    }

    // A directory of the core's own, noted before it is made; never one that was there already.
    private static string MakeDirectory(ImageMount mount, string parent, string name, UnixFileMode mode)
    {
        Directory.CreateDirectory(parent, Browsable);
        var path = Path.Join(parent, name);
        mount.Record.Note(MountStep.Directory, path);
        using var directory = DirectoryHandle.Open(parent);
        directory.CreateDirectory(name, mode).Dispose();
        mount.MadeDirectories.Add(path);
        return path;
    }

    private static void CheckMountPoint(string? mountPoint)
    {
        if (mountPoint is null)
        {
            return;
        }

        if (!Path.IsPathFullyQualified(mountPoint) || mountPoint.Contains('\n', StringComparison.Ordinal))
        {
            throw new ImageMountException($"The mount point {mountPoint} is not an absolute path.");
        }

        if (!Directory.Exists(mountPoint))
        {
            throw new ImageMountException($"The mount point {mountPoint} is not an existing directory.");
        }

        if (Directory.EnumerateFileSystemEntries(mountPoint).Any())
        {
            throw new ImageMountException($"The mount point {mountPoint} is not empty.");
        }
    }

    private string NewId()
    {
        while (true)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            if (!Current.Any(mount => mount.Id == id)
                && !Directory.Exists(Path.Join(options.RuntimeDirectory, "fuse", id))
                && !Directory.Exists(Path.Join(options.RuntimeDirectory, MountPointsFolder, id)))
            {
                return id;
            }
        }
    }

    // The filesystem's mount command, its words kept for the failure's message.
    private static async Task RunAsync(CommandLine command, string fsType, CancellationToken cancellationToken)
    {
        using var input = NativeFile.Open("/dev/null", O_RDONLY);
        using var output = NativeFile.Open("/dev/null", O_WRONLY);
        var pipeline = Pipeline.Start([new Pipeline.Stage(command)], input, output);
        var result = (await pipeline.WaitAsync(cancellationToken).ConfigureAwait(false)).Stages[0];
        if (!result.Exit.Succeeded)
        {
            var said = result.StderrTail.Trim();
            throw new IOException(string.Create(
                CultureInfo.InvariantCulture,
                $"this machine cannot mount its {fsType} filesystem read-only: {command.Program} {result.Exit.Describe()}{(said.Length == 0 ? "" : ": " + said)}"));
        }
    }

    // What one mount holds, filled in step by step.
    private sealed class ImageMount(IRandomAccessSource device, MountRecord record)
    {
        public IRandomAccessSource Device { get; } = device;

        public MountRecord Record { get; } = record;

        public List<string> MadeDirectories { get; } = [];

        public FuseServer? Server { get; set; }

        public Native.LoopDevice? Loop { get; set; }

        public string? MountPoint { get; set; }

        // Whether the image's filesystem is mounted at its mount point: never unmount what is not ours.
        public bool IsMounted => MountPoint is not null && Loop is not null && Mounts.At(MountPoint)?.Source == Loop.Path;

        public ImageMountInfo Info { get; set; } = new("", "", "", "");
    }
}
