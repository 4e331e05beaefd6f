using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;
using Tmds.Linux;

namespace Apart.Transport.Zmq;

/// <summary>
/// Owns a libzmq context with one PAIR socket, its monitor and its ZAP handler, on one thread of
/// its own, as libzmq sockets need: sends are queued to that thread and never block it; received
/// messages and the presenter coming and going are written to one channel from that thread only,
/// so they stay in order. With nothing to do the thread sleeps in <c>zmq_poll</c> without a timeout.
/// </summary>
/// <remarks>
/// Each presenter has a PAIR socket of its own: when one leaves, its socket is closed and a new
/// one opened. libzmq's PAIR socket cuts off any connection that comes while it still holds an
/// earlier one's pipe, closing or not (zeromq/libzmq#3170), and that pipe closes in libzmq's own
/// threads some time after the presenter's connection was reported closed: the next presenter,
/// let in by then, would be connected, heard by nobody, and hold the place for good. A bound
/// socket's successor listens on the same listening socket, which this loop keeps open between
/// them, so that a presenter never finds the address closed.
/// </remarks>
internal sealed class PairSocketLoop : IAsyncDisposable
{
    // A hostile peer is disconnected rather than allowed to exhaust memory; the core refuses far less.
    private const long MaxMessageSize = 64L * 1024 * 1024;

    // Messages libzmq may hold for a presenter that stopped reading before a send fails: enough for
    // any burst of progress, few enough that a stalled presenter is noticed within seconds.
    private const int SendHighWatermark = 100;

    // How much one wake-up reads before sends get their turn: a flood of big messages, read as fast
    // as libzmq refills its queue, would otherwise hold up the answers for a second.
    private const int ReceiveBatch = 64;
    private const long TurnBytes = 4L * 1024 * 1024;

    // A presenter that sends faster than the core handles its messages is made to wait: past this
    // many bytes received and not yet taken by the core, the socket is not read until the core
    // has taken half of them, and libzmq holds at most ReceiveHighWatermark more before the rest
    // stay in the peer's socket. Without it a flood of 10 MB messages piled up in memory.
    private const long MaxUnreadBytes = 32L * 1024 * 1024;
    private const int ReceiveHighWatermark = 2;

    private const int LingerMilliseconds = 1000;
    private const int ReconnectMilliseconds = 100;
    private const int SendRetryMilliseconds = 10;
    private const string ZapEndpoint = "inproc://zeromq.zap.01";
    private const string MonitorEndpoint = "inproc://apart-monitor";
    private const int MonitoredEvents = LibZmq.EVENT_CONNECTED | LibZmq.EVENT_ACCEPTED | LibZmq.EVENT_DISCONNECTED
        | LibZmq.EVENT_HANDSHAKE_SUCCEEDED | LibZmq.EVENT_CONNECT_RETRIED | LibZmq.EVENT_LISTENING;

    private static readonly TimeSpan s_teardownWait = TimeSpan.FromSeconds(3);
    private static readonly byte[] s_zapVersion = "1.0"u8.ToArray();

    private readonly nint _context;
    private ZmqSocket _socket;
    private int _generation; // the socket's, or between sockets the next one's
    private long? _reopenAt; // between sockets: when the next one is opened
    private int _listening; // bind mode: our own descriptor of the listening socket, once known; -1 before
    private readonly ZmqSocket? _zap; // bind mode's
    private readonly int _wake;
    private readonly PresenterGate _gate;
    private readonly Action<ZmqSocket> _attach;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly Queue<SendRequest> _pending = new();
    private readonly Channel<TransportEvent> _events = Channel.CreateUnbounded<TransportEvent>();
    private readonly List<byte[]> _frames = [];
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed; // under _lock
    private bool _stopping; // the loop thread's own, as is all below
    private bool _peerConnected;
    private bool _readingPaused;
    private long _unreadBytes; // received, not yet taken through Events (either thread)

    private PairSocketLoop(nint context, ZmqSocket socket, ZmqSocket? zap, int wake, int listening, PresenterGate gate, Action<ZmqSocket> attach, ILogger logger)
    {
        _attach = attach;
        _listening = listening;
        _context = context;
        _socket = socket;
        _zap = zap;
        _wake = wake;
        _gate = gate;
        _logger = logger;
        Events = new TakingReader(this);
    }

    // Where the socket's events arrive (every socket of this loop is monitored).
    private ZmqSocket Reports => _socket.Reports!;

    /// <summary>What happened, in order; taking a received message lets more be read.</summary>
    public ChannelReader<TransportEvent> Events { get; }

    /// <summary>Bytes of the messages received and not yet taken through <see cref="Events"/>.</summary>
    public long UnreadBytes => Interlocked.Read(ref _unreadBytes);

    /// <summary>
    /// Creates the context, the socket and its monitor, lets <paramref name="attach"/> set the
    /// socket's options and bind or connect it, and starts the thread. In bind mode a ZAP handler
    /// puts every connection to <paramref name="gate"/> before any of its messages is read. A
    /// socket whose presenter left is replaced by a new one, attached the same way.
    /// </summary>
    /// <param name="logger">Where the loop's troubles are told.</param>
    /// <param name="gate">Who the presenter is.</param>
    /// <param name="attach">Sets a new socket's options and binds or connects it.</param>
    /// <param name="listening">
    /// Bind mode: a listening socket of the caller's, which the loop takes over (it closes it when
    /// it ends, also when this throws); each socket gets a copy (<c>ZMQ_USE_FD</c>) before
    /// <paramref name="attach"/> binds it. -1: the first socket's bind creates one, which the
    /// loop then keeps for the sockets after it.
    /// </param>
    /// <exception cref="IOException">libzmq refused the address or is out of resources.</exception>
    public static PairSocketLoop Start(ILogger logger, PresenterGate gate, Action<ZmqSocket> attach, int listening = -1)
    {
        var context = LibZmq.CtxNew();
        if (context == 0)
        {
            throw new IOException($"zmq_ctx_new failed: {LibZmq.LastError()}.");
        }

        // Closing never waits longer than the sockets' own linger.
        _ = LibZmq.CtxSet(context, LibZmq.BLOCKY, 0);
        ZmqSocket? zap = null, socket = null;
        var wake = -1;
        try
        {
            if (gate.Listening)
            {
                // The handler is bound before the socket exists: libzmq lets a connection through
                // unasked when nobody serves ZAP.
                zap = ZmqSocket.Open(context, LibZmq.ROUTER);
                zap.Set(LibZmq.LINGER, 0);
                zap.Bind(ZapEndpoint);
            }

            socket = OpenPair(context, generation: 0, gate.Listening, listening, attach);
            wake = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
            if (wake < 0)
            {
                throw new IOException($"eventfd failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(LibC.errno)}.");
            }
        }
        catch
        {
            socket?.Dispose();
            zap?.Dispose();
            _ = LibZmq.CtxTerm(context);
            if (listening >= 0)
            {
                _ = LibC.close(listening);
            }

            throw;
        }

        var loop = new PairSocketLoop(context, socket, zap, wake, listening, gate, attach, logger);

        // Starting the thread is the memory barrier libzmq asks for when a socket changes threads.
        new Thread(loop.Run) { IsBackground = true, Name = "apart-zmq" }.Start();
        return loop;
    }

    // The PAIR socket, its events reported to its Reports socket; bound to a copy of `listening`
    // when there is one.
    private static ZmqSocket OpenPair(nint context, int generation, bool authenticate, int listening, Action<ZmqSocket> attach)
    {
        var socket = ZmqSocket.Open(context, LibZmq.PAIR);
        var copy = -1;
        try
        {
            socket.Set(LibZmq.LINGER, LingerMilliseconds);
            socket.Set(LibZmq.MAXMSGSIZE, MaxMessageSize);
            socket.Set(LibZmq.SNDHWM, SendHighWatermark);
            socket.Set(LibZmq.RCVHWM, ReceiveHighWatermark);
            socket.Set(LibZmq.RECONNECT_IVL, ReconnectMilliseconds);

            if (authenticate)
            {
                // With a domain every mechanism, NULL included, asks the handler.
                socket.Set(LibZmq.ZAP_DOMAIN, ZapDomain(generation));
            }

            socket.Monitor(context, $"{MonitorEndpoint}-{generation}", MonitoredEvents);
            if (listening >= 0)
            {
                copy = LibC.fcntl(listening, LibC.F_DUPFD_CLOEXEC, 0);
                if (copy < 0)
                {
                    throw new IOException($"Copying the listening socket failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(LibC.errno)}.");
                }

                socket.Set(LibZmq.USE_FD, copy);
            }

            attach(socket); // binds last: once bound, libzmq owns the copy
            return socket;
        }
        catch
        {
            socket.Dispose();
            if (copy >= 0)
            {
                _ = LibC.close(copy);
            }

            throw;
        }
    }

    // Each socket's connections ask in a domain of their own: a request from a connection of a
    // socket since closed, read after its successor's connections opened, names no connection of these.
    private static byte[] ZapDomain(int generation) => System.Text.Encoding.ASCII.GetBytes($"apart-{generation}");

    /// <summary>Queues a message; true once libzmq has taken it for a connected presenter, false at the deadline.</summary>
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
        if (!TryPost(() => _pending.Enqueue(request)))
        {
            request.Complete(false);
        }

        return request.Task;
    }

    public async ValueTask DisposeAsync()
    {
        // The stop is the last command: every send queued before it is answered by the teardown.
        if (!TryPost(() => _stopping = true, last: true))
        {
            return;
        }

        try
        {
            await _stopped.Task.WaitAsync(s_teardownWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Never seen; if the thread were stuck in libzmq, waiting for it would block forever.
            Log.TeardownTimedOut(_logger);
            _events.Writer.TryComplete();
        }
    }

    private bool TryPost(Action command, bool last = false)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = last;
            _commands.Enqueue(command);
            ulong one = 1;
            unsafe
            {
                // Only fails when the counter is about to overflow, which a reader never lets happen.
                _ = LibC.write(_wake, &one, sizeof(ulong));
            }

            return true;
        }
    }

    private unsafe void Run()
    {
        var items = stackalloc LibZmq.PollItem[4];
        items[0] = new LibZmq.PollItem { Fd = _wake, Events = LibZmq.POLLIN };
        items[2] = _zap is null ? new LibZmq.PollItem { Fd = -1 } : new LibZmq.PollItem { Socket = _zap.Handle, Events = LibZmq.POLLIN };
        try
        {
            while (!_stopping)
            {
                // Between sockets (connect mode) there is nothing to poll but the wake-ups.
                var open = _reopenAt is null;
                items[1] = open ? new LibZmq.PollItem { Socket = Reports.Handle, Events = LibZmq.POLLIN } : new LibZmq.PollItem { Fd = -1 };
                items[3] = open ? new LibZmq.PollItem { Socket = _socket.Handle, Events = _readingPaused ? (short)0 : LibZmq.POLLIN } : new LibZmq.PollItem { Fd = -1 };
                var timeout = _reopenAt is { } due ? (int)Math.Max(0, due - Environment.TickCount64)
                    : _pending.Count > 0 ? SendRetryMilliseconds : -1;
                if (LibZmq.Poll(items, 4, timeout) < 0)
                {
                    if (LibZmq.Errno() != LibZmq.EINTR)
                    {
                        throw new IOException($"zmq_poll failed: {LibZmq.LastError()}.");
                    }

                    continue;
                }

                try
                {
                    bool zapReady = items[2].Revents != 0, messageReady = items[3].Revents != 0;
                    Turn(woken: items[0].Revents != 0, monitorReady: items[1].Revents != 0 || zapReady || messageReady, zapReady, messageReady);
                }
#pragma warning disable CA1031 // One bad turn is logged; the loop goes on serving.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Log.PollerError(_logger, e);
                }
            }
        }
#pragma warning disable CA1031 // An exception here would end the process; the transport ends instead.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.PollerError(_logger, e);
        }
        finally
        {
            TearDown();
        }
    }

    private unsafe void Turn(bool woken, bool monitorReady, bool zapReady, bool messageReady)
    {
        ReopenWhenDue();
        if (woken)
        {
            ulong count;
            _ = LibC.read(_wake, &count, sizeof(ulong)); // EAGAIN when already read: nothing lost.
            while (_commands.TryDequeue(out var command))
            {
                command();
            }
        }

        // The monitor first: a ZAP request's connection, and a message's presenter, are known by then.
        if (monitorReady)
        {
            ReadMonitor();
        }

        if (zapReady)
        {
            AnswerZap();
        }

        if (messageReady && !_readingPaused && _reopenAt is null)
        {
            Receive(ReceiveBatch);
        }

        FlushSends();
    }

    private void ReadMonitor()
    {
        while (Reports.TryReceiveMultipart(_frames))
        {
            // Frame 1: the event (16 bits) and its value (32 bits), native order; frame 2: the endpoint.
            if (_frames[0] is not { Length: 6 } header)
            {
                continue;
            }

            var happened = BitConverter.ToUInt16(header, 0);
            var value = BitConverter.ToInt32(header, 2);
            switch (happened)
            {
                case LibZmq.EVENT_ACCEPTED or LibZmq.EVENT_CONNECTED:
                    switch (_gate.Opened(value, out var opener))
                    {
                        case Opening.ShutOut:
                            // libzmq's engine sees the connection end and closes the descriptor.
                            _ = LibC.shutdown(value, LibC.SHUT_RDWR);
                            break;
                        case Opening.Presenter:
                            SetPeerConnected(true, opener);
                            break;
                    }

                    break;
                case LibZmq.EVENT_HANDSHAKE_SUCCEEDED:
                    if (_gate.HandshakeSucceeded(out var peer))
                    {
                        SetPeerConnected(true, peer);
                    }

                    break;
                case LibZmq.EVENT_DISCONNECTED:
                    if (_gate.Closed(value))
                    {
                        // A new socket for the next presenter (see the remarks above). In connect
                        // mode it also covers what libzmq leaves: it reconnects after a lost
                        // connection but not after a protocol error (an oversized message, say).
                        // The old socket's events go with it.
                        SetPeerConnected(false);
                        CloseForReopening();
                        return;
                    }

                    break;
                case LibZmq.EVENT_LISTENING when _listening < 0:
                    KeepListening(value);
                    break;
                case LibZmq.EVENT_CONNECT_RETRIED:
                    _gate.ConnectRetried();
                    break;
            }
        }
    }

    // The first socket's own listening socket (tcp://), ours too from now on, for the sockets
    // after it. libzmq makes it blocking: while a closed socket's listener is still being torn
    // down, two listeners poll it, and the one whose accept lost the race would block libzmq's
    // I/O thread until the next connection came. Non-blocking, it gets EAGAIN, as libzmq expects.
    private void KeepListening(int descriptor)
    {
        var kept = LibC.fcntl(descriptor, LibC.F_DUPFD_CLOEXEC, 0);
        var flags = kept < 0 ? -1 : LibC.fcntl(kept, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.fcntl(kept, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
        {
            Log.ListeningSocketNotKept(_logger, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(LibC.errno));
            if (kept >= 0)
            {
                _ = LibC.close(kept);
            }

            return;
        }

        _listening = kept;
    }

    private void CloseForReopening()
    {
        // What the presenter sent was read before it counted as gone; what was handed over for it
        // and not written goes with the connection, as the transport promises. Connections still
        // waiting their turn are closed with the socket; their libzmq tries again.
        _socket.Set(LibZmq.LINGER, 0);
        _socket.Dispose(); // and its monitor
        _generation++; // from now on, what its connections ask is no longer heard
        _gate.SocketReplaced();

        // A bound socket's successor listens at once. A connecting one waits a reconnect interval,
        // as libzmq would: at once, it could reach a killed presenter's socket not yet closed.
        _reopenAt = Environment.TickCount64 + (_gate.Listening ? 0 : ReconnectMilliseconds);
    }

    private void ReopenWhenDue()
    {
        if (_reopenAt is { } due && Environment.TickCount64 >= due)
        {
            // Should it fail (out of descriptors, say), the next try comes an interval later.
            _reopenAt = Environment.TickCount64 + ReconnectMilliseconds;
            _socket = OpenPair(_context, _generation, _gate.Listening, _listening, _attach);
            _reopenAt = null;
            _readingPaused = false;
        }
    }

    private void AnswerZap()
    {
        // From a ROUTER: the requester's routing id, an empty delimiter, then the request: version,
        // request id, domain, address, routing id, mechanism, credentials...
        while (_zap!.TryReceiveMultipart(_frames))
        {
            if (_frames.Count < 8 || _frames[1].Length != 0)
            {
                continue; // Not libzmq's; a ROUTER owes it no answer.
            }

            if (!_frames[4].AsSpan().SequenceEqual(ZapDomain(_generation)))
            {
                // A connection of a socket closed since, going with it: unanswered, as a refusal
                // would make its peer give up rather than try again on the new socket.
                continue;
            }

            var answer = _gate.Authenticate(System.Text.Encoding.UTF8.GetString(_frames[5]), out var descriptor);
            if (answer == ZapAnswer.TurnAway)
            {
                // The engine sees the connection end and closes it; the request stays unanswered.
                _ = LibC.shutdown(descriptor, LibC.SHUT_RDWR);
                continue;
            }

            var admitted = answer == ZapAnswer.Admit;
            _ = _zap.TrySend(_frames[0], more: true);
            _ = _zap.TrySend([], more: true);
            _ = _zap.TrySend(s_zapVersion, more: true);
            _ = _zap.TrySend(_frames[3], more: true);
            _ = _zap.TrySend(admitted ? "200"u8 : "400"u8, more: true);
            _ = _zap.TrySend(admitted ? "OK"u8 : "refused"u8, more: true);
            _ = _zap.TrySend([], more: true);
            _ = _zap.TrySend([]);
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
            // What the presenter sent before it left is reported before it leaving (all of it: its
            // connection is gone, so libzmq holds no more than its high-water mark).
            Receive(int.MaxValue, all: true);
        }

        _peerConnected = connected;
        _events.Writer.TryWrite(connected ? new TransportEvent.PeerConnected { Peer = peer } : new TransportEvent.PeerDisconnected());
    }

    private void Receive(int limit, bool all = false)
    {
        var bytes = 0L;
        for (var i = 0; i < limit && (all || bytes < TurnBytes) && _socket.TryReceive(out var frame, out var more); i++)
        {
            bytes += frame.Length;
            if (Interlocked.Add(ref _unreadBytes, frame.Length) >= MaxUnreadBytes && !_readingPaused && !all)
            {
                // Left out of the poll until Taken lets it back.
                _readingPaused = true;
                limit = i + 1;
            }

            if (more)
            {
                // A message is one frame (docs/PROTOCOL.md §1): keep the first, which is the YAML document.
                var dropped = 0;
                while (more && _socket.TryReceive(out _, out more))
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
            Receive(ReceiveBatch);
        }
    }

    private void FlushSends()
    {
        var now = Environment.TickCount64;

        // A connecting socket queues for a presenter not there yet, and a bound one may still hold
        // the last one's pipe: only a presenter through its handshake makes a send count as handed over.
        while (_peerConnected && _pending.TryPeek(out var request))
        {
            if (!request.IsSettled(now))
            {
                if (!_socket.TrySend(request.Payload))
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
    }

    private void TearDown()
    {
        while (_pending.TryDequeue(out var request))
        {
            request.Complete(false);
        }

        // Closing hands what was sent last (a core's "status: dying") to libzmq's I/O thread, which
        // writes it within the linger; terminating the context waits for that. The monitor closes
        // with the socket. (Between sockets it is closed already: disposing again does nothing.)
        _socket.Dispose();
        _zap?.Dispose();
        _ = LibZmq.CtxTerm(_context);
        if (_listening >= 0)
        {
            _ = LibC.close(_listening); // Nothing to learn from a failed close of a listening socket.
        }

        lock (_lock)
        {
            // Also when the loop ended by itself: nobody may write to the closed descriptor's number.
            _disposed = true;
            _ = LibC.close(_wake);
        }

        _events.Writer.TryComplete();
        _stopped.TrySetResult();
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
