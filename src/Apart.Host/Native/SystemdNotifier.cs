using System.Net.Sockets;
using System.Text;

namespace Apart.Host.Native;

/// <summary>
/// Tells systemd how a <c>Type=notify</c> service is doing (sd_notify(3)): one datagram to the
/// socket in <c>NOTIFY_SOCKET</c>, which systemd sets for the service it starts. Elsewhere, where
/// the variable is not set, it does nothing.
/// </summary>
internal sealed class SystemdNotifier
{
    /// <summary>The service is ready: its socket exists.</summary>
    public const string Ready = "READY=1";

    /// <summary>The service is stopping.</summary>
    public const string Stopping = "STOPPING=1";

    private readonly string? _socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");

    /// <summary>Whether a service manager listens.</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(_socket);

    /// <summary>Sends <paramref name="state"/> (<see cref="Ready"/>, <see cref="Stopping"/>).</summary>
    /// <exception cref="SocketException">The service manager's socket could not be reached.</exception>
    public void Notify(string state)
    {
        if (!IsEnabled)
        {
            return;
        }

        // An address starting with @ is in the abstract namespace: a leading NUL on the wire.
        var path = _socket![0] == '@' ? "\0" + _socket[1..] : _socket;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path));
    }
}
