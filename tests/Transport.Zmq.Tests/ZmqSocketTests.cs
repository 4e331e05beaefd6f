namespace Apart.Transport.Zmq.Tests;

/// <summary>The libzmq sockets below the transport, in a context of the test's own.</summary>
public sealed class ZmqSocketTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(3);
    private readonly nint _context = LibZmq.CtxNew();
    private readonly TestSocketPath _absent = new();
    private readonly TestSocketPath _path = new();

    public void Dispose()
    {
        // Not blocked by a socket still lingering, even when a test failed with libzmq stuck.
        _ = LibZmq.CtxSet(_context, LibZmq.BLOCKY, 0);
        _ = LibZmq.CtxTerm(_context);
        _absent.Dispose();
        _path.Dispose();
    }

    [Fact]
    public void A_monitored_socket_reports_its_events()
    {
        using var socket = ZmqSocket.Open(_context, LibZmq.PAIR);
        socket.Monitor(_context, "inproc://test-monitor", LibZmq.EVENT_CONNECT_RETRIED);
        var monitor = socket.Reports!;
        socket.Set(LibZmq.RECONNECT_IVL, 100);
        socket.Connect(_absent.Address);

        var frames = new List<byte[]>();
        Assert.True(Eventually(() => monitor.TryReceiveMultipart(frames)), "no event within 3 s");
        Assert.Equal(LibZmq.EVENT_CONNECT_RETRIED, BitConverter.ToUInt16(frames[0], 0));
        Assert.Equal(_absent.Address, System.Text.Encoding.UTF8.GetString(frames[1]));
    }

    [Fact]
    public void Closing_a_monitored_socket_that_goes_on_reporting_leaves_libzmq_serving_its_other_sockets()
    {
        // Lingering with a message queued, a closed socket still retries its connect every 100 ms,
        // and each retry is an event. libzmq's I/O thread sends those to the monitor with a
        // blocking send: had the monitor's reader closed before the reports stopped, that thread
        // would wait forever, and no other socket of the context would connect again.
        using (var lingering = ZmqSocket.Open(_context, LibZmq.PAIR))
        {
            lingering.Monitor(_context, "inproc://test-monitor", LibZmq.EVENT_CONNECT_RETRIED);
            var monitor = lingering.Reports!;
            lingering.Set(LibZmq.RECONNECT_IVL, 100);
            lingering.Set(LibZmq.LINGER, 2000);
            lingering.Connect(_absent.Address);
            Assert.True(lingering.TrySend("for nobody"u8));
            Assert.True(Eventually(() => monitor.TryReceiveMultipart([])), "no event within 3 s");
        }

        Thread.Sleep(300); // three retries
        using var bound = ZmqSocket.Open(_context, LibZmq.PAIR);
        using var connecting = ZmqSocket.Open(_context, LibZmq.PAIR);
        bound.Bind(_path.Address);
        connecting.Connect(_path.Address);
        Assert.True(connecting.TrySend("hello"u8));

        byte[] received = [];
        Assert.True(Eventually(() => bound.TryReceive(out received, out _)), "libzmq's I/O thread is stuck: nothing arrived within 3 s");
        Assert.Equal("hello"u8.ToArray(), received);
    }

    private static bool Eventually(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }
}
