using System.Text;

namespace Apart.Transport.Zmq;

/// <summary>
/// A ZeroMQ endpoint this transport understands: <c>tcp://HOST:PORT</c>, handed to libzmq as it is,
/// or <c>ipc://PATH</c>, a Unix domain socket as libzmq means it (<c>ipc://@NAME</c> is Linux's
/// abstract namespace, as in libzmq).
/// </summary>
internal sealed class ZmqAddress
{
    private const string IpcScheme = "ipc://";
    private const string TcpScheme = "tcp://";

    // sun_path is 108 bytes including the terminating NUL.
    private const int MaxUnixPathBytes = 107;

    private ZmqAddress(string original, string? unixPath)
    {
        Original = original;
        UnixPath = unixPath;
    }

    /// <summary>The address as given.</summary>
    public string Original { get; }

    /// <summary>For <c>ipc://</c>: the socket's path, or <c>@NAME</c> for an abstract socket; null for tcp.</summary>
    public string? UnixPath { get; }

    /// <summary>Whether this is an <c>ipc://</c> address.</summary>
    public bool IsIpc => UnixPath is not null;

    /// <summary>Whether the Unix socket lives in the abstract namespace rather than in the filesystem.</summary>
    public bool IsAbstract => UnixPath is ['@', ..];

    public static bool HasKnownScheme(string address) =>
        address.StartsWith(IpcScheme, StringComparison.Ordinal) ||
        address.StartsWith(TcpScheme, StringComparison.Ordinal);

    /// <exception cref="ArgumentException">Not an ipc:// or tcp:// address, or an unusable ipc path.</exception>
    public static ZmqAddress Parse(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (address.StartsWith(TcpScheme, StringComparison.Ordinal))
        {
            return new ZmqAddress(address, unixPath: null);
        }

        if (!address.StartsWith(IpcScheme, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{address}' is neither an ipc:// nor a tcp:// address.", nameof(address));
        }

        var path = address[IpcScheme.Length..];
        if (path.Length == 0 || path == "@" || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{address}' does not name a Unix socket.", nameof(address));
        }

        if (Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
        {
            throw new ArgumentException(
                $"The path of '{address}' is longer than a Unix socket path can be ({MaxUnixPathBytes} bytes).",
                nameof(address));
        }

        return new ZmqAddress(address, path);
    }

    /// <summary>The endpoint to connect or bind a Unix socket to.</summary>
    public System.Net.Sockets.UnixDomainSocketEndPoint ToUnixEndPoint() =>
        new(IsAbstract ? "\0" + UnixPath![1..] : UnixPath!);

    public override string ToString() => Original;
}
