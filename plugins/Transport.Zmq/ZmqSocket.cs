using Apart.Abstractions;

namespace Apart.Transport.Zmq;

/// <summary>
/// One libzmq socket, used by one thread only (the transport's poller thread), as libzmq requires.
/// Sends and receives never block.
/// </summary>
internal sealed unsafe class ZmqSocket : IDisposable
{
    private nint _handle;
    private ZmqSocket? _monitor;

    private ZmqSocket(nint handle) => _handle = handle;

    /// <summary>The socket's handle, for <c>zmq_poll</c>.</summary>
    public nint Handle => _handle;

    /// <summary>The PAIR socket this socket's events arrive on, once <see cref="Monitor"/> was called; closed with this socket.</summary>
    public ZmqSocket? Reports => _monitor;

    /// <exception cref="IOException">libzmq would not create it (out of sockets, a terminated context).</exception>
    public static ZmqSocket Open(nint context, int type)
    {
        var handle = LibZmq.Socket(context, type);
        return handle == 0 ? throw new IOException($"zmq_socket failed: {LibZmq.LastError()}.") : new ZmqSocket(handle);
    }

    public void Set(int option, int value) => Set(option, &value, sizeof(int));

    public void Set(int option, long value) => Set(option, &value, sizeof(long));

    public void Set(int option, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            Set(option, p, value.Length);
        }
    }

    /// <exception cref="IOException">libzmq refused: the address is in use or cannot be reached.</exception>
    public void Bind(string endpoint) => Attach(endpoint, bind: true);

    /// <exception cref="IOException">libzmq refused the address.</exception>
    public void Connect(string endpoint) => Attach(endpoint, bind: false);

    /// <summary>
    /// Has libzmq report this socket's events (<c>LibZmq.EVENT_*</c>) through <paramref name="endpoint"/>
    /// (an <c>inproc://</c> name unused in <paramref name="context"/>) to <see cref="Reports"/>.
    /// This socket owns that one: closing this socket stops the reports and then closes it.
    /// </summary>
    /// <exception cref="IOException">libzmq refused the endpoint or is out of sockets.</exception>
    public void Monitor(nint context, string endpoint, int events)
    {
        fixed (byte* p = NativeText.NullTerminated(endpoint))
        {
            if (LibZmq.SocketMonitor(_handle, p, events) != 0)
            {
                throw new IOException($"zmq_socket_monitor failed: {LibZmq.LastError()}.");
            }
        }

        ZmqSocket? reader = null;
        try
        {
            reader = Open(context, LibZmq.PAIR);
            reader.Set(LibZmq.LINGER, 0);
            reader.Connect(endpoint);
        }
        catch
        {
            StopMonitor();
            reader?.Dispose();
            throw;
        }

        _monitor = reader;
    }

    /// <summary>Queues one frame; false when libzmq cannot take it now (no peer, or its queue is full).</summary>
    public bool TrySend(ReadOnlySpan<byte> frame, bool more = false)
    {
        fixed (byte* p = frame)
        {
            return LibZmq.Send(_handle, p, (nuint)frame.Length, LibZmq.DONTWAIT | (more ? LibZmq.SNDMORE : 0)) >= 0;
        }
    }

    /// <summary>Takes one frame if one is there.</summary>
    public bool TryReceive(out byte[] frame, out bool more)
    {
        LibZmq.Message message;
        _ = LibZmq.MsgInit(&message); // Always 0.
        try
        {
            if (LibZmq.MsgRecv(&message, _handle, LibZmq.DONTWAIT) < 0)
            {
                frame = [];
                more = false;
                return false;
            }

            frame = new ReadOnlySpan<byte>(LibZmq.MsgData(&message), checked((int)LibZmq.MsgSize(&message))).ToArray();
            more = LibZmq.MsgMore(&message) != 0;
            return true;
        }
        finally
        {
            _ = LibZmq.MsgClose(&message); // Fails only for a message never initialised.
        }
    }

    /// <summary>Takes every frame of one message if one is there.</summary>
    public bool TryReceiveMultipart(List<byte[]> frames)
    {
        frames.Clear();
        if (!TryReceive(out var frame, out var more))
        {
            return false;
        }

        frames.Add(frame);

        // The rest of a message is there once its first frame is: libzmq delivers messages whole.
        while (more && TryReceive(out frame, out more))
        {
            frames.Add(frame);
        }

        return true;
    }

    /// <summary>
    /// Closes the socket, and its monitor's: what it still has to send goes out within its linger,
    /// in libzmq's own threads.
    /// </summary>
    public void Dispose()
    {
        if (_handle == 0)
        {
            return;
        }

        // libzmq's I/O thread hands a socket's events to its monitor with a blocking send: closed
        // while the socket can still report (lingering, or a reconnect already under way), the
        // monitor's reader would leave that thread waiting forever, and every socket of the
        // context with it (zeromq/libzmq#3575). Stopped first, the reports end here.
        if (_monitor is not null)
        {
            StopMonitor();
        }

        _ = LibZmq.Close(_handle); // Fails only for a handle that is not a socket.
        _handle = 0;
        _monitor?.Dispose();
        _monitor = null;
    }

    // A null endpoint stops the reports; fails only for a handle that is not a socket.
    private void StopMonitor() => _ = LibZmq.SocketMonitor(_handle, null, 0);

    private void Set(int option, void* value, int length)
    {
        if (LibZmq.SetSockOpt(_handle, option, value, (nuint)length) != 0)
        {
            throw new ArgumentException($"zmq_setsockopt({option}) failed: {LibZmq.LastError()}.");
        }
    }

    private void Attach(string endpoint, bool bind)
    {
        fixed (byte* p = NativeText.NullTerminated(endpoint))
        {
            if ((bind ? LibZmq.Bind(_handle, p) : LibZmq.Connect(_handle, p)) != 0)
            {
                throw new IOException($"{(bind ? "Binding" : "Connecting to")} {endpoint} failed: {LibZmq.LastError()}.");
            }
        }
    }
}
