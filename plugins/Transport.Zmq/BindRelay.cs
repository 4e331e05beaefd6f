using Apart.Abstractions;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>
/// Bind mode over ipc://: accepts presenters on our Unix socket, checks each one's credentials
/// before reading a byte, and relays the one admitted presenter to our NetMQ socket's loopback
/// connection. While a presenter is connected, any other is turned away.
/// </summary>
internal sealed class BindRelay : IAsyncDisposable
{
    // NetMQ reconnects 100 ms after a relay ends; waiting longer means our NetMQ socket is gone.
    private static readonly TimeSpan s_loopbackWait = TimeSpan.FromSeconds(5);

    private readonly UnixSocketListener _unix;
    private readonly LoopbackListener _loopback;
    private readonly PairSocketLoop _loop;
    private readonly Func<PeerCredentials, bool> _admit;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private Task _session = Task.CompletedTask;
    private int _lastRefusedPid;

    public BindRelay(
        UnixSocketListener unix,
        LoopbackListener loopback,
        PairSocketLoop loop,
        Func<PeerCredentials, bool> admit,
        ILogger logger)
    {
        _unix = unix;
        _loopback = loopback;
        _loop = loop;
        _admit = admit;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>
    /// Stops relaying. Called after our NetMQ socket closed: the session still running gets
    /// <see cref="RelayDrain.Timeout"/> to pass NetMQ's last bytes to the presenter.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await RelayDrain.WaitAsync(_session).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        _unix.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await _session.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var cancellationToken = _stop.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket presenter;
            try
            {
                presenter = await _unix.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: pause rather than spin.
                Log.UnixAcceptFailed(_logger, e.SocketErrorCode);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (!Admit(presenter, out var peer))
            {
                presenter.Dispose();
            }
            else if (!_session.IsCompleted)
            {
                if (IsNewRefusal(peer))
                {
                    Log.PresenterRefusedBusy(_logger, peer.Pid, peer.Uid);
                }

                presenter.Dispose();
            }
            else
            {
                _session = RelayAsync(presenter, peer, cancellationToken);
            }
        }
    }

    private bool Admit(Socket presenter, out PeerCredentials peer)
    {
        try
        {
            peer = UnixPeerCredentials.Read(presenter);
        }
        catch (IOException e)
        {
            Log.PeerCredentialsUnreadable(_logger, e.Message);
            peer = new PeerCredentials(-1, uint.MaxValue, uint.MaxValue);
            return false;
        }

        bool admitted;
        try
        {
            admitted = _admit(peer);
        }
#pragma warning disable CA1031 // Whatever the caller's check throws, the answer is no.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.AdmitCheckFailed(_logger, peer.Pid, peer.Uid, e);
            return false;
        }

        if (admitted)
        {
            Log.PresenterAdmitted(_logger, peer.Pid, peer.Uid);
        }
        else if (IsNewRefusal(peer))
        {
            Log.PresenterRefused(_logger, peer.Pid, peer.Uid);
        }

        return admitted;
    }

    // libzmq peers retry every 100 ms: a refusal is worth one warning per process, not ten a second.
    private bool IsNewRefusal(PeerCredentials peer)
    {
        if (peer.Pid == _lastRefusedPid)
        {
            Log.PresenterRefusedAgain(_logger, peer.Pid);
            return false;
        }

        _lastRefusedPid = peer.Pid;
        return true;
    }

    private async Task RelayAsync(Socket presenter, PeerCredentials peer, CancellationToken cancellationToken)
    {
        var loopback = await TakeLoopbackAsync(cancellationToken).ConfigureAwait(false);
        if (loopback is null)
        {
            presenter.Dispose();
            return;
        }

        _loop.OnPeerConnected(peer);
        await RelaySession.RunAsync(loopback, presenter, cancellationToken).ConfigureAwait(false);
        Log.PresenterLeft(_logger);
        _loop.OnPeerDisconnected();
    }

    /// <summary>Our NetMQ socket's waiting loopback connection, skipping any it has closed meanwhile.</summary>
    private async Task<Socket?> TakeLoopbackAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_loopbackWait);
        try
        {
            while (true)
            {
                var socket = await _loopback.NextAsync(timeout.Token).ConfigureAwait(false);
                if (IsOpen(socket))
                {
                    return socket;
                }

                socket.Dispose();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Log.LoopbackNotReady(_logger);
            }

            return null;
        }
    }

    // Readable with nothing to read means the peer closed it: NetMQ moved on to a new connection.
    private static bool IsOpen(Socket socket)
    {
        try
        {
            return !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }
}
