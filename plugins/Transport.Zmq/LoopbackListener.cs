using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>
/// The relay's TCP end on 127.0.0.1, where our NetMQ socket connects. Every accepted connection
/// is checked to come from this process before anything is read from or written to it; any other
/// is reset at once.
/// </summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Channel<Socket> _accepted = Channel.CreateUnbounded<Socket>();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly IPEndPoint _endPoint;
    private readonly Task _acceptLoop;

    public LoopbackListener(ILogger logger)
    {
        _logger = logger;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
        _endPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The ephemeral port; internal so tests can knock on it.</summary>
    public int Port => _endPoint.Port;

    /// <summary>Where NetMQ connects.</summary>
    public string NetMqEndpoint => $"tcp://127.0.0.1:{Port}";

    /// <summary>The next connection from our own NetMQ socket.</summary>
    public ValueTask<Socket> NextAsync(CancellationToken cancellationToken) =>
        _accepted.Reader.ReadAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        while (_accepted.Reader.TryRead(out var socket))
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: pause rather than spin.
                Log.LoopbackAcceptFailed(_logger, e.SocketErrorCode);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            Admit(socket);
        }

        _accepted.Writer.TryComplete();
    }

    private void Admit(Socket socket)
    {
        var peer = (IPEndPoint)socket.RemoteEndPoint!;
        bool own;
        ulong inode;
        try
        {
            own = OwnConnectionCheck.IsFromThisProcess(peer, _endPoint, out inode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LoopbackCheckFailed(_logger, peer.Port, e.Message);
            (own, inode) = (false, 0);
        }

        if (!own)
        {
            Log.ForeignLoopbackRefused(_logger, peer.Port, inode);
            Reset(socket);
            return;
        }

        socket.NoDelay = true;
        if (!_accepted.Writer.TryWrite(socket))
        {
            socket.Dispose();
        }
    }

    private static void Reset(Socket socket)
    {
        // Linger 0 makes close send a reset: the peer learns nothing, not even an orderly end.
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }

        socket.Dispose();
    }
}
