using Apart.Abstractions;
using Xunit.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>tcp:// in both modes: plain NetMQ, with the peer's coming and going from NetMQ's monitor.</summary>
public sealed class TcpTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(5);
    private readonly TestLogger _logger = new(output);

    [Fact]
    public async Task Connect_mode_exchanges_messages_and_reports_the_presenter_killed()
    {
        await using var presenter = await PythonPeer.StartZmqAsync("bind", "tcp://127.0.0.1:*");
        await using var transport = PairTransport.Connect(presenter.Endpoint, _logger);

        await transport.ExpectAsync<TransportEvent.PeerConnected>();
        Assert.True(await transport.SendAsync(Payloads.Yaml("type: status\n"), s_sendTimeout));
        Assert.Equal(Payloads.Yaml("type: status\n"), await presenter.ReceiveAsync(s_sendTimeout));
        Assert.True(await presenter.SendAsync(Payloads.Yaml("type: status-request\n")));
        Assert.Equal(Payloads.Yaml("type: status-request\n"), await transport.ExpectMessageAsync());

        var big = Payloads.OneMebibyte();
        Assert.True(await transport.SendAsync(big, s_sendTimeout));
        Assert.Equal(big, await presenter.ReceiveAsync(s_sendTimeout));
        Assert.True(await presenter.SendAsync(big));
        Assert.Equal(big, await transport.ExpectMessageAsync());

        presenter.Kill();
        await transport.ExpectAsync<TransportEvent.PeerDisconnected>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_last_message_of_a_presenter_that_leaves_arrives_before_it_leaving()
    {
        await using var presenter = await PythonPeer.StartZmqAsync("bind", "tcp://127.0.0.1:*");
        await using var transport = PairTransport.Connect(presenter.Endpoint, _logger);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();

        await presenter.SendAndExitAsync(Payloads.Yaml("type: cancel-clone\nid: 8db93abe\n"));

        Assert.Equal(Payloads.Yaml("type: cancel-clone\nid: 8db93abe\n"), await transport.ExpectMessageAsync());
        await transport.ExpectAsync<TransportEvent.PeerDisconnected>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_peer_flooding_big_messages_waits_while_the_core_has_not_taken_them_and_none_is_lost()
    {
        await using var presenter = await PythonPeer.StartZmqAsync("bind", "tcp://127.0.0.1:*");
        await using var transport = PairTransport.Connect(presenter.Endpoint, _logger);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();
        const int count = 40, bytes = 4 * 1024 * 1024;

        await presenter.FloodAsync(count, bytes);
        await Task.Delay(TimeSpan.FromSeconds(2)); // time enough to read all 160 MiB, had it been read

        // At most the 32 MiB limit and the message that crossed it wait in the core.
        Assert.InRange(transport.UnreadBytes, 1, (32 * 1024 * 1024) + bytes);
        for (var index = 0; index < count; index++)
        {
            var message = await transport.ExpectMessageAsync();
            Assert.Equal(bytes, message.Length);
            Assert.True(message.AsSpan().IndexOfAnyExcept((byte)(index % 251)) < 0, $"message {index} out of order");
        }

        Assert.Equal(0, transport.UnreadBytes);
    }

    [Fact]
    public async Task Bind_mode_exchanges_messages_with_a_connecting_peer()
    {
        var port = FreeTcpPort();
        var address = $"tcp://127.0.0.1:{port}";
        await using var transport = PairTransport.Bind(address, _ => true, _logger);
        await using var presenter = await PythonPeer.StartZmqAsync("connect", address);

        await transport.ExpectAsync<TransportEvent.PeerConnected>();
        Assert.True(await presenter.SendAsync(Payloads.Yaml("type: status-request\n")));
        Assert.Equal(Payloads.Yaml("type: status-request\n"), await transport.ExpectMessageAsync());
        Assert.True(await transport.SendAsync(Payloads.Yaml("type: status\n"), s_sendTimeout));
        Assert.Equal(Payloads.Yaml("type: status\n"), await presenter.ReceiveAsync(s_sendTimeout));
    }

    [Fact]
    public async Task A_multi_frame_message_arrives_as_its_first_frame()
    {
        await using var presenter = await PythonPeer.StartZmqAsync("bind", "tcp://127.0.0.1:*");
        await using var transport = PairTransport.Connect(presenter.Endpoint, _logger);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();

        Assert.True(await presenter.SendAsync(Payloads.Yaml("type: status-request\n"), Payloads.Yaml("extra"), Payloads.Yaml("more")));
        Assert.True(await presenter.SendAsync(Payloads.Yaml("type: clone\n")));

        Assert.Equal(Payloads.Yaml("type: status-request\n"), await transport.ExpectMessageAsync());
        Assert.Equal(Payloads.Yaml("type: clone\n"), await transport.ExpectMessageAsync());
        Assert.True(_logger.Contains("Dropped 2 extra frame(s)"));
    }

    [Fact]
    public void Bind_mode_throws_when_the_port_is_taken()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var address = $"tcp://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var e = Assert.Throws<IOException>(() => PairTransport.Bind(address, _ => true, _logger));
        Assert.Contains("Address already in use", e.Message, StringComparison.Ordinal);
    }

    internal static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
