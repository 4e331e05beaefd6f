using System.Text;
using Apart.Abstractions;
using NetMQ;
using NetMQ.Sockets;
using Xunit.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>
/// tcp:// bind mode with a CURVE server key: a NetMQ client that knows the server's public key
/// talks to it encrypted; a plain client gets nothing through.
/// </summary>
public sealed class CurveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private readonly TestLogger _logger = new(output);

    [Fact]
    public async Task A_curve_client_knowing_the_server_key_exchanges_messages()
    {
        var server = new NetMQCertificate();
        var address = $"tcp://127.0.0.1:{TcpTests.FreeTcpPort()}";
        await using var transport = PairTransport.Bind(address, new ListenOptions { Admit = _ => true, CurveSecretKey = server.SecretKeyZ85 }, _logger);

        using var client = new PairSocket();
        client.Options.CurveServerKey = server.PublicKey;
        client.Options.CurveCertificate = new NetMQCertificate();
        client.Options.Linger = TimeSpan.Zero;
        client.Connect(address);

        await transport.ExpectAsync<TransportEvent.PeerConnected>();
        Assert.True(client.TrySendFrame(s_timeout, "type: status-request\n"));
        Assert.Equal("type: status-request\n", Encoding.UTF8.GetString((await transport.ExpectMessageAsync()).ToArray()));
        Assert.True(await transport.SendAsync(Encoding.UTF8.GetBytes("type: status\n"), s_timeout));
        Assert.True(client.TryReceiveFrameString(s_timeout, out var reply));
        Assert.Equal("type: status\n", reply);
    }

    [Fact]
    public async Task A_plain_client_gets_nothing_through()
    {
        var server = new NetMQCertificate();
        var address = $"tcp://127.0.0.1:{TcpTests.FreeTcpPort()}";
        await using var transport = PairTransport.Bind(address, new ListenOptions { Admit = _ => true, CurveSecretKey = server.SecretKeyZ85 }, _logger);

        using var client = new PairSocket();
        client.Options.Linger = TimeSpan.Zero;
        client.Connect(address);
        client.TrySendFrame(TimeSpan.FromSeconds(1), "type: kill-request\n");

        await Task.Delay(TimeSpan.FromSeconds(2));
        while (transport.Events.TryRead(out var happened))
        {
            Assert.IsNotType<TransportEvent.MessageReceived>(happened);
        }

        // NetMQ reports the TCP connection, not the failed handshake: what we send may be queued,
        // but never reaches the plain client.
        _ = await transport.SendAsync(Encoding.UTF8.GetBytes("type: status\n"), TimeSpan.FromMilliseconds(500));
        Assert.False(client.TryReceiveFrameString(TimeSpan.FromSeconds(1), out _));
    }

    [Fact]
    public void A_malformed_secret_key_is_refused()
    {
        var options = new ListenOptions { Admit = _ => true, CurveSecretKey = "not a key" };

        Assert.Throws<ArgumentException>(() => PairTransport.Bind($"tcp://127.0.0.1:{TcpTests.FreeTcpPort()}", options, _logger));
    }
}
