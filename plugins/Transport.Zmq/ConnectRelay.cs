using System.Net.Sockets;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>
/// Connect mode over ipc://: each time our NetMQ socket connects to the loopback listener, dial the
/// presenter's Unix socket and relay between the two. When the presenter is not there (yet, or any
/// more), the loopback connection is closed and NetMQ's own reconnect timer brings the next try.
/// </summary>
internal sealed class ConnectRelay : IAsyncDisposable
{
    private static readonly TimeSpan s_dialTimeout = TimeSpan.FromSeconds(2);

    private readonly ZmqAddress _address;
    private readonly LoopbackListener _loopback;
    private readonly PairSocketLoop _loop;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private Task _session = Task.CompletedTask;
    private bool _presenterMissing;

    public ConnectRelay(ZmqAddress address, LoopbackListener loopback, PairSocketLoop loop, ILogger logger)
    {
        _address = address;
        _loopback = loopback;
        _loop = loop;
        _logger = logger;
        _run = Task.Run(RunAsync);
    }

    /// <summary>
    /// Stops relaying. Called after our NetMQ socket closed: the session still running gets
    /// <see cref="RelayDrain.Timeout"/> to pass NetMQ's last bytes (a final message) to the presenter.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await RelayDrain.WaitAsync(_session).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var cancellationToken = _stop.Token;
        try
        {
            while (true)
            {
                var loopback = await _loopback.NextAsync(cancellationToken).ConfigureAwait(false);
                Socket? unix;
                try
                {
                    unix = await DialPresenterAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    loopback.Dispose();
                    throw;
                }

                if (unix is null)
                {
                    loopback.Dispose();
                    continue;
                }

                _loop.OnPeerConnected(IdentifyPresenter(unix));
                _session = RelaySession.RunAsync(loopback, unix, cancellationToken);
                await _session.ConfigureAwait(false);
                Log.PresenterDisconnected(_logger, _address.Original);
                _loop.OnPeerDisconnected();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // Disposed.
        }
    }

    private async Task<Socket?> DialPresenterAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_dialTimeout);
            await socket.ConnectAsync(_address.ToUnixEndPoint(), timeout.Token).ConfigureAwait(false);
            _presenterMissing = false;
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();

            // NetMQ retries every 100 ms: say it once per absence, not at every try.
            if (!_presenterMissing)
            {
                _presenterMissing = true;
                Log.PresenterUnreachable(_logger, _address.Original, Describe(e));
            }

            return null;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        // .NET reports ENOENT on a Unix socket path as "cannot assign requested address".
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable } => "no socket at the path",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "nobody listens on the socket",
        OperationCanceledException => "the connection timed out",
        _ => e.Message,
    };

    // Who bound the presenter's socket: said in the log, and told to the core with the connection.
    private PeerCredentials? IdentifyPresenter(Socket socket)
    {
        try
        {
            var peer = UnixPeerCredentials.Read(socket);
            Log.PresenterConnected(_logger, _address.Original, peer.Pid, peer.Uid);
            return peer;
        }
        catch (IOException e)
        {
            Log.PresenterConnected(_logger, _address.Original, -1, uint.MaxValue);
            Log.PeerCredentialsUnreadable(_logger, e.Message);
            return null;
        }
    }
}
