using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Apart.Abstractions;
using Apart.Host.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Mounting;

/// <summary>
/// A FUSE filesystem served by the core itself, speaking the kernel's protocol over
/// <c>/dev/fuse</c> (no libfuse): a directory holding one read-only file,
/// <see cref="DeviceFileSystem.FileName"/>, whose bytes are read from an
/// <see cref="IRandomAccessSource"/> as the kernel asks for them.
/// </summary>
/// <remarks>
/// Mounted read-only, nodev, nosuid, noexec, for the core's user only (no allow_other), with the
/// kernel checking permissions (default_permissions). A few worker threads each wait for a
/// request, answer it and wait again, with one request buffer and one reply buffer each, rented
/// once: no more than one request's data is ever copied into managed memory per worker. Workers
/// end when the filesystem is unmounted (the kernel then answers ENODEV) or the server is
/// stopped (an eventfd wakes them). If the core dies, the kernel closes <c>/dev/fuse</c> and
/// the mount stays behind as a dead one (ENOTCONN) until unmounted.
/// </remarks>
internal sealed unsafe class FuseServer : IDisposable
{
    /// <summary>The filesystem type in mountinfo: <c>fuse.apart</c>.</summary>
    public const string FsType = "fuse.apart";

    private const int RequestBufferSize = 16 * 1024; // any request but WRITE and SETXATTR fits: neither is accepted
    private const int MaxRead = 1 << 20;
    private static readonly TimeSpan WorkerGrace = TimeSpan.FromSeconds(10);

    private readonly SafeFileHandle _device;
    private readonly SafeFileHandle _stop;
    private readonly DeviceFileSystem _fileSystem;
    private readonly ILogger _logger;
    private readonly List<Thread> _workers = [];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private bool _disposed;

    private FuseServer(string directory, SafeFileHandle device, SafeFileHandle stop, DeviceFileSystem fileSystem, ILogger logger)
    {
        Directory = directory;
        _device = device;
        _stop = stop;
        _fileSystem = fileSystem;
        _logger = logger;
    }

    /// <summary>Where it is mounted.</summary>
    public string Directory { get; }

    /// <summary>The file that holds the source's bytes.</summary>
    public string FilePath => Path.Join(Directory, DeviceFileSystem.FileName);

    /// <summary>Completes once every worker has ended (unmounted, or stopped).</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>
    /// Mounts a server for <paramref name="source"/> at the existing empty directory
    /// <paramref name="directory"/> and starts its workers. The source stays the caller's: it
    /// must outlive the server.
    /// </summary>
    /// <exception cref="NativeIOException">/dev/fuse cannot be opened, or the kernel refused the mount.</exception>
    public static FuseServer Start(string directory, IRandomAccessSource source, ILogger logger, int workers = 0)
    {
        var device = NativeFile.Open("/dev/fuse", O_RDWR | O_NONBLOCK);
        var stopFd = Libc.eventfd(0, Libc.EFD_CLOEXEC);
        if (stopFd == -1)
        {
            var errno = Errno.Last;
            device.Dispose();
            throw Errno.Exception("Cannot create an eventfd", errno);
        }

        var stop = new SafeFileHandle(stopFd, ownsHandle: true);
        try
        {
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"fd={NativeFile.Fd(device)},rootmode=40000,user_id={geteuid()},group_id={getegid()},default_permissions,max_read={MaxRead}");
            Mounts.Mount("apart", directory, FsType, Libc.MS_RDONLY | Libc.MS_NODEV | Libc.MS_NOSUID | Libc.MS_NOEXEC, options);
        }
        catch
        {
            stop.Dispose();
            device.Dispose();
            throw;
        }

        var server = new FuseServer(directory, device, stop, new DeviceFileSystem(source, logger) { MaxRead = MaxRead }, logger);
        var count = workers > 0 ? workers : Math.Clamp(Environment.ProcessorCount, 2, 4);
        server._running = count;
        for (var i = 0; i < count; i++)
        {
            var thread = new Thread(server.Serve, maxStackSize: 256 * 1024) { IsBackground = true, Name = "apart-fuse" };
            server._workers.Add(thread);
            thread.Start();
        }

        server.RaiseReadahead();
        return server;
    }

    /// <summary>
    /// Unmounts the filesystem (lazily when something still holds the file, such as a loop
    /// device not yet released; the kernel then fails its reads once the server is gone), stops
    /// the workers and closes <c>/dev/fuse</c>. True when it was unmounted outright.
    /// </summary>
    public bool Unmount()
    {
        var errno = Mounts.Unmount(Directory, lazy: false);
        var outright = errno == 0 || errno == EINVAL;
        if (errno == EBUSY)
        {
            _ = Mounts.Unmount(Directory, lazy: true);
            _logger.ImageDetachedLazily(Directory);
        }

        Dispose();
        return outright;
    }

    /// <summary>Stops the workers and closes <c>/dev/fuse</c> (the mount, if still there, goes dead: see <see cref="Unmount"/>).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ulong one = 1;
        _ = Libc.write(NativeFile.Fd(_stop), &one, sizeof(ulong));
        foreach (var worker in _workers)
        {
            // A worker stuck in a source's read must not keep /dev/fuse open: while it is open,
            // whoever waits for an answer waits uninterruptibly. Closed, the kernel fails them all.
            if (!worker.Join(WorkerGrace))
            {
                _logger.FuseServerFailed(Directory, "a worker did not stop in time; the mount's pending reads fail");
            }
        }

        _device.Dispose();
        _stop.Dispose();
    }

    private void Serve()
    {
        var request = ArrayPool<byte>.Shared.Rent(RequestBufferSize);
        var reply = ArrayPool<byte>.Shared.Rent(_fileSystem.MaxRead);
        try
        {
            fixed (byte* requestBytes = request)
            fixed (byte* replyBytes = reply)
            {
                var vectors = stackalloc Libc.IoVec[2];
                while (Next(requestBytes, request.Length) is var length and > 0)
                {
                    FuseOutHeader header;
                    if (!_fileSystem.Answer(request.AsSpan(0, length), reply, out header))
                    {
                        continue;
                    }

                    vectors[0] = new Libc.IoVec { Base = &header, Length = (nuint)sizeof(FuseOutHeader) };
                    vectors[1] = new Libc.IoVec { Base = replyBytes, Length = header.Length - (nuint)sizeof(FuseOutHeader) };
                    if (Libc.writev(NativeFile.Fd(_device), vectors, 2) == -1 && Errno.Last is var errno && errno != ENOENT)
                    {
                        // ENOENT: the request was interrupted meanwhile, nobody waits for the answer.
                        if (errno != ENODEV)
                        {
                            _logger.FuseServerFailed(Directory, Errno.Describe(errno));
                        }

                        break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(reply);
            if (Interlocked.Decrement(ref _running) == 0)
            {
                _stopped.TrySetResult();
            }
        }
    }

    // The kernel offers, and so reads ahead, 128 KiB at a time; a source that decompresses does
    // better with fewer, larger reads. Raised on the mount's own bdi, as far as max_read; a kernel
    // that refuses keeps its default, which works too.
    private void RaiseReadahead()
    {
        try
        {
            using var root = NativeFile.Open(Directory, O_RDONLY | O_DIRECTORY);
            var st = NativeFile.Stat(root);
            var device = (ulong)st.st_dev;
            var major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfffUL);
            var minor = (device & 0xff) | ((device >> 12) & ~0xffUL);
            File.WriteAllText(
                string.Create(CultureInfo.InvariantCulture, $"/sys/class/bdi/{major}:{minor}/read_ahead_kb"),
                (MaxRead / 1024).ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.ReadaheadUnchanged(Directory, e.Message);
        }
    }

    // The next request's length, or 0 once the filesystem is unmounted or the server stopped.
    private int Next(byte* buffer, int size)
    {
        var fds = stackalloc Libc.PollFd[2];
        while (true)
        {
            fds[0] = new Libc.PollFd { Fd = NativeFile.Fd(_device), Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = NativeFile.Fd(_stop), Events = Libc.POLLIN };
            if (Libc.poll(fds, 2, -1) == -1)
            {
                if (Errno.Last == EINTR)
                {
                    continue;
                }

                _logger.FuseServerFailed(Directory, Errno.Describe(Errno.Last));
                return 0;
            }

            if (fds[1].Revents != 0)
            {
                return 0;
            }

            var read = Libc.read(NativeFile.Fd(_device), buffer, (nuint)size);
            if (read >= 0)
            {
                return (int)read;
            }

            var errno = Errno.Last;
            if (errno == EAGAIN || errno == EINTR || errno == ENOENT)
            {
                continue; // another worker took it; a signal; a request interrupted as it was read
            }

            if (errno != ENODEV) // ENODEV: unmounted
            {
                _logger.FuseServerFailed(Directory, Errno.Describe(errno));
            }

            return 0;
        }
    }
}
