using Apart.Abstractions;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Tmds.Linux;

namespace Apart.Transport.Zmq;

/// <summary>
/// A listening Unix domain socket at an ipc:// path, as libzmq's bind makes one, but created with
/// the mode and group asked for (0600 by default) before anyone can connect, then handed to the
/// transport's loop, which gives libzmq a copy of it for each socket (<c>ZMQ_USE_FD</c>) and closes
/// it when it ends. Dispose removes the file, only while the file there is still ours (libzmq
/// leaves a socket it was handed in place).
/// </summary>
internal sealed class UnixSocketListener : IDisposable
{
    private readonly string? _path;
    private readonly UnixSocketFile.Identity _identity;
    private readonly ILogger _logger;
    private int _descriptor;

    private UnixSocketListener(int descriptor, string? path, UnixSocketFile.Identity identity, ILogger logger)
    {
        _descriptor = descriptor;
        _path = path;
        _identity = identity;
        _logger = logger;
    }

    /// <exception cref="IOException">The path holds something other than a stale socket, or is in use.</exception>
    public static UnixSocketListener Create(ZmqAddress address, ILogger logger, UnixFileMode mode = FileModes.OwnerOnly, uint? groupId = null)
    {
        var path = address.IsAbstract ? null : address.UnixPath;
        if (path is not null)
        {
            // A service's socket directory (/run/apart) may not exist yet; 0755 lets group
            // members reach the socket, whose own mode decides who may connect.
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory && !Directory.Exists(directory))
            {
                // Set after creating: the process umask (a service's may be 0077) would narrow it.
                const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
                Directory.CreateDirectory(directory, Traversable);
                File.SetUnixFileMode(directory, Traversable);
            }

            ClearStaleSocket(path, address.ToUnixEndPoint(), logger);
        }

        var descriptor = Bind(address);
        UnixSocketFile.Identity? created = null;
        try
        {
            if (path is not null)
            {
                if (UnixSocketFile.Inspect(path, out var identity) != UnixSocketFile.Kind.Socket)
                {
                    throw new IOException($"{path} was replaced while binding.");
                }

                created = identity;

                // Before listen(): until then every connect() is refused, so nobody slips in under the umask's mode.
                UnixSocketFile.SetAccess(path, mode, groupId);
            }

            if (LibC.listen(descriptor, 4) != 0)
            {
                throw new IOException($"listen {address.UnixPath} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(LibC.errno)}.");
            }

            return new UnixSocketListener(descriptor, path, created ?? default, logger);
        }
        catch
        {
            _ = LibC.close(descriptor); // Never used: nothing to learn from a failed close.
            if (created is { } ours)
            {
                TryRemove(path!, ours, logger);
            }

            throw;
        }
    }

    /// <summary>The listening descriptor, for the transport's loop to take over; after this the listener only removes the file.</summary>
    public int HandOver() => Interlocked.Exchange(ref _descriptor, -1);

    public void Dispose()
    {
        if (HandOver() is var descriptor and >= 0)
        {
            _ = LibC.close(descriptor); // Never handed over: nothing to learn from a failed close.
        }

        if (_path is not null)
        {
            TryRemove(_path, _identity, _logger);
        }
    }

    /// <summary>
    /// bind(2) by hand: it creates the file and fails if anything, a symlink included, is at the
    /// path. (libzmq's own bind would create it under the umask's mode, listening at once.)
    /// </summary>
    private static unsafe int Bind(ZmqAddress address)
    {
        var name = Encoding.UTF8.GetBytes(address.UnixPath!);
        sockaddr_un socketAddress = default;
        socketAddress.sun_family = LibC.AF_UNIX;
        for (var i = 0; i < name.Length; i++)
        {
            socketAddress.sun_path[i] = name[i];
        }

        // An abstract name is '\0' then the name, its length exact; a path is NUL-terminated.
        if (address.IsAbstract)
        {
            socketAddress.sun_path[0] = 0;
        }

        var length = sizeof(sa_family_t) + name.Length + (address.IsAbstract ? 0 : 1);
        var fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
        if (fd < 0)
        {
            throw new IOException($"socket(AF_UNIX) failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(LibC.errno)}.");
        }

        if (LibC.bind(fd, (sockaddr*)&socketAddress, (uint)length) != 0)
        {
            var errno = LibC.errno;
            _ = LibC.close(fd); // Nothing more to learn from a failed close of a socket never used.
            throw new IOException(errno == LibC.EADDRINUSE
                ? $"{address.UnixPath} is already in use."
                : $"bind {address.UnixPath} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        return fd;
    }

    private static void ClearStaleSocket(string path, UnixDomainSocketEndPoint endPoint, ILogger logger)
    {
        switch (UnixSocketFile.Inspect(path, out _))
        {
            case UnixSocketFile.Kind.Missing:
                return;
            case UnixSocketFile.Kind.Other:
                throw new IOException($"{path} exists and is not a socket; refusing to replace it.");
            default:
                if (IsListenedOn(endPoint))
                {
                    throw new IOException($"{path} is in use: another process listens on it.");
                }

                // As libzmq does: a socket file nobody listens on is left over from a dead process.
                Log.StaleSocketRemoved(logger, path);
                UnixSocketFile.Remove(path);
                return;
        }
    }

    private static bool IsListenedOn(UnixDomainSocketEndPoint endPoint)
    {
        // Non-blocking, so a listener with a full backlog answers "busy" instead of holding us up.
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            probe.Connect(endPoint);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            return true;
        }
    }

    private static void TryRemove(string path, UnixSocketFile.Identity identity, ILogger logger)
    {
        try
        {
            UnixSocketFile.RemoveIfSame(path, identity);
        }
        catch (IOException e)
        {
            Log.SocketFileNotRemoved(logger, path, e.Message);
        }
    }
}
