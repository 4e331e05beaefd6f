using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;
using NetMQ;
using NetMQ.Monitoring;
using NetMQ.Sockets;

namespace Apart.Transport.Zmq;

/// <summary>
/// Owns the NetMQ <see cref="PairSocket"/> on one poller thread, as NetMQ sockets need: sends are
/// queued to that thread and never block it, received messages and the peer coming and going are
/// written to one channel from that thread only, so they stay in order.
/// </summary>
internal sealed class PairSocketLoop : IAsyncDisposable
{
    // A hostile peer is disconnected rather than allowed to exhaust memory; the core refuses far less.
    private const long MaxMessageSize = 64L * 1024 * 1024;

    // Messages NetMQ may hold for a presenter that stopped reading before a send fails: enough for
    // any burst of progress, few enough that a stalled presenter is noticed within seconds.
    private const int SendHighWatermark = 100;

    // How many messages one wake-up reads before sends get their turn.
    private const int ReceiveBatch = 64;

    // A presenter that sends faster than the core handles its messages is made to wait: past this
    // many bytes received and not yet taken by the core, the socket is not read until the core
    // has taken half of them, and NetMQ holds at most ReceiveHighWatermark more before the rest
    // stay in the peer's socket. Without it a flood of 10 MB messages piled up in memory.
    private const long MaxUnreadBytes = 32L * 1024 * 1024;
    private const int ReceiveHighWatermark = 2;

    private static readonly TimeSpan s_linger = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_reconnectInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_sendRetryInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_teardownWait = TimeSpan.FromSeconds(3);

    private readonly NetMQPoller _poller = new();
    private readonly PairSocket _socket = new();
    private readonly NetMQQueue<Action> _commands = new();
    private readonly NetMQTimer _sendRetry = new(s_sendRetryInterval);
    private readonly Queue<SendRequest> _pending = new();
    private readonly Channel<TransportEvent> _events = Channel.CreateUnbounded<TransportEvent>();
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private NetMQMonitor? _monitor;
    private int _monitoredConnections;
    private bool _peerConnected;
    private bool _disposed;
    private long _unreadBytes; // received, not yet taken through Events (either thread)
    private bool _readingPaused; // the poller thread's own

    private PairSocketLoop(ILogger logger)
    {
        _logger = logger;
        _socket.Options.Linger = s_linger;
        _socket.Options.MaxMsgSize = MaxMessageSize;
        _socket.Options.SendHighWatermark = SendHighWatermark;
        _socket.Options.ReceiveHighWatermark = ReceiveHighWatermark;
        _socket.Options.ReconnectInterval = s_reconnectInterval;

        // Kept off (libzmq's default): with it on, NetMQ drops the messages a peer sent just before
        // leaving that we had not read yet. Sends to nobody are refused by the peer check instead.
        _socket.Options.DelayAttachOnConnect = false;

        _socket.ReceiveReady += (_, _) => Guarded(() => Receive(ReceiveBatch));
        _commands.ReceiveReady += (_, e) => Guarded(() =>
        {
            while (e.Queue.TryDequeue(out var command, TimeSpan.Zero))
            {
                command();
            }
        });
        _sendRetry.Enable = false;
        _sendRetry.Elapsed += (_, _) => Guarded(FlushSends);
        _poller.Add(_socket);
        _poller.Add(_commands);
        _poller.Add(_sendRetry);
        Events = new TakingReader(this);
    }

    /// <summary>What happened, in order; taking a received message lets more be read.</summary>
    public ChannelReader<TransportEvent> Events { get; }

    /// <summary>Bytes of the messages received and not yet taken through <see cref="Events"/>.</summary>
    public long UnreadBytes => Interlocked.Read(ref _unreadBytes);

    /// <summary>
    /// Creates the socket, lets <paramref name="attach"/> connect or bind it, and starts the poller
    /// thread. With <paramref name="monitorConnections"/>, the peer coming and going is read from
    /// NetMQ's socket monitor (tcp); otherwise the relay reports it (ipc).
    /// </summary>
    public static PairSocketLoop Start(ILogger logger, Action<PairSocket> attach, bool monitorConnections)
    {
        var loop = new PairSocketLoop(logger);
        loop._poller.RunAsync("apart-zmq", isBackgroundThread: true);

        // Set up on the poller thread too: NetMQ objects are touched by one thread only, and a
        // failure (a bad address, a port in use) is torn down there like any other.
        var setUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop._commands.Enqueue(() =>
        {
            try
            {
                if (monitorConnections)
                {
                    loop.StartMonitor();
                }

                attach(loop._socket);
                setUp.SetResult();
            }
#pragma warning disable CA1031 // Not swallowed: handed to the caller below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                setUp.SetException(e);
            }
        });

        try
        {
            setUp.Task.GetAwaiter().GetResult();
            return loop;
        }
        catch
        {
            loop.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Queues a message; true once NetMQ has taken it, false at the deadline.</summary>
    public Task<bool> SendAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A send timeout cannot be negative.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        var request = new SendRequest(message.ToArray(), timeout, cancellationToken);
        if (!TryPost(() =>
            {
                _pending.Enqueue(request);
                FlushSends();
            }))
        {
            request.Complete(false);
        }

        return request.Task;
    }

    /// <summary>The relay paired a presenter with our socket; <paramref name="peer"/> is who it is.</summary>
    public void OnPeerConnected(PeerCredentials? peer) => TryPost(() => SetPeerConnected(true, peer));

    /// <summary>The relay's presenter connection ended.</summary>
    public void OnPeerDisconnected() => TryPost(() => SetPeerConnected(false));

    public async ValueTask DisposeAsync()
    {
        var tornDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // The teardown is the last command: every send queued before it is answered by it.
            _disposed = true;
            _commands.Enqueue(() =>
            {
                TearDown();
                tornDown.SetResult();
            });
        }

        try
        {
            await tornDown.Task.WaitAsync(s_teardownWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Never seen; if the poller thread were stuck, disposing it would block forever.
            Log.TeardownTimedOut(_logger);
            _events.Writer.TryComplete();
            return;
        }

        _poller.Dispose();
        _commands.Dispose();
    }

    private bool TryPost(Action command)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _commands.Enqueue(command);
            return true;
        }
    }

    private void StartMonitor()
    {
        _monitor = new NetMQMonitor(
            _socket,
            $"inproc://apart-zmq-monitor-{Guid.NewGuid():N}",
            SocketEvents.Connected | SocketEvents.Accepted | SocketEvents.Disconnected);
        _monitor.Connected += (_, _) => Guarded(MonitoredConnectionUp);
        _monitor.Accepted += (_, _) => Guarded(MonitoredConnectionUp);
        _monitor.Disconnected += (_, _) => Guarded(MonitoredConnectionDown);
        _monitor.AttachToPoller(_poller);
    }

    // A bound PAIR socket may briefly hold a second connection (which NetMQ gives no pipe): the
    // peer counts as gone only when the last connection is.
    private void MonitoredConnectionUp()
    {
        _monitoredConnections++;
        SetPeerConnected(true);
    }

    private void MonitoredConnectionDown()
    {
        if (_monitoredConnections > 0 && --_monitoredConnections == 0)
        {
            SetPeerConnected(false);
        }
    }

    private void SetPeerConnected(bool connected, PeerCredentials? peer = null)
    {
        if (connected == _peerConnected)
        {
            return;
        }

        if (!connected)
        {
            // What the peer sent before it left is reported before it leaving (all of it: its
            // connection is gone, so NetMQ holds no more than its high-water mark).
            Receive(int.MaxValue, all: true);
        }

        _peerConnected = connected;
        _events.Writer.TryWrite(connected ? new TransportEvent.PeerConnected { Peer = peer } : new TransportEvent.PeerDisconnected());
        if (connected)
        {
            FlushSends();
        }
    }

    private void Receive(int limit, bool all = false)
    {
        for (var i = 0; i < limit && _socket.TryReceiveFrameBytes(out var frame, out var more); i++)
        {
            if (Interlocked.Add(ref _unreadBytes, frame.Length) >= MaxUnreadBytes && !_readingPaused && !all)
            {
                // Taking the socket out of the poller stops its wake-ups too; Taken puts it back.
                _readingPaused = true;
                _poller.Remove(_socket);
                limit = i + 1;
            }

            if (more)
            {
                // A message is one frame (docs/PROTOCOL.md §1): keep the first, which is the YAML document.
                var dropped = 0;
                while (more && _socket.TryReceiveFrameBytes(out _, out more))
                {
                    dropped++;
                }

                Log.ExtraFramesDropped(_logger, dropped);
            }

            _events.Writer.TryWrite(new TransportEvent.MessageReceived(frame));
        }
    }

    // The core took a message of `bytes` through Events (on its own thread).
    private void Taken(long bytes)
    {
        var unread = Interlocked.Add(ref _unreadBytes, -bytes);
        if (unread < MaxUnreadBytes / 2 && unread + bytes >= MaxUnreadBytes / 2)
        {
            TryPost(ResumeReading);
        }
    }

    private void ResumeReading()
    {
        if (_readingPaused && Interlocked.Read(ref _unreadBytes) < MaxUnreadBytes / 2)
        {
            _readingPaused = false;
            _poller.Add(_socket);
            Receive(ReceiveBatch);
        }
    }

    private void FlushSends()
    {
        var now = Environment.TickCount64;

        // NetMQ's pipe exists whether a peer is there or not (and over ipc:// its TCP peer is our
        // relay, presenter or none): only a known peer makes a send count as handed over.
        while (_peerConnected && _pending.TryPeek(out var request))
        {
            if (!request.IsSettled(now))
            {
                if (!_socket.TrySendFrame(request.Payload))
                {
                    break;
                }

                request.Complete(true);
            }

            _pending.Dequeue();
        }

        // The rest wait, in order; each is answered false at its own deadline.
        for (var i = _pending.Count; i > 0; i--)
        {
            var request = _pending.Dequeue();
            if (!request.IsSettled(now))
            {
                _pending.Enqueue(request);
            }
        }

        // No peer, or its queue is full: look again shortly.
        _sendRetry.Enable = _pending.Count > 0;
    }

    private void TearDown()
    {
        _sendRetry.Enable = false;
        while (_pending.TryDequeue(out var request))
        {
            request.Complete(false);
        }

        _monitor?.Dispose();
        if (!_readingPaused)
        {
            _poller.Remove(_socket);
        }

        _socket.Dispose();
        _events.Writer.TryComplete();
        _poller.StopAsync();
    }

    private void Guarded(Action action)
    {
        try
        {
            action();
        }
#pragma warning disable CA1031 // An exception here would end the poller thread and the process with it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.PollerError(_logger, e);
        }
    }

    /// <summary>The events channel's reader, telling the loop each received message the core takes.</summary>
    private sealed class TakingReader(PairSocketLoop loop) : ChannelReader<TransportEvent>
    {
        private readonly ChannelReader<TransportEvent> _inner = loop._events.Reader;

        public override Task Completion => _inner.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out TransportEvent item)
        {
            if (!_inner.TryRead(out item))
            {
                return false;
            }

            if (item is TransportEvent.MessageReceived received)
            {
                loop.Taken(received.Payload.Length);
            }

            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
    }
}
