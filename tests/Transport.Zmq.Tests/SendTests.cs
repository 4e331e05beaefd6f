using System.Diagnostics;
using Xunit.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>SendAsync without a presenter: false at the deadline, never a silent success.</summary>
public sealed class SendTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(400);
    private readonly TestSocketPath _path = new();
    private readonly TestLogger _logger = new(output);

    public void Dispose() => _path.Dispose();

    [Theory]
    [InlineData("ipc-connect")]
    [InlineData("ipc-bind")]
    [InlineData("tcp-connect")]
    [InlineData("tcp-bind")]
    public async Task Without_a_peer_returns_false_after_the_timeout(string mode)
    {
        await using var transport = Create(mode);

        var clock = Stopwatch.StartNew();
        Assert.False(await transport.SendAsync(Payloads.Yaml("type: status\n"), s_timeout));
        Assert.InRange(clock.Elapsed, s_timeout - TimeSpan.FromMilliseconds(20), s_timeout + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_send_waiting_for_a_peer_is_answered_false_on_dispose()
    {
        var transport = PairTransport.Connect(_path.Address, _logger);
        var send = transport.SendAsync(Payloads.Yaml("type: status\n"), TimeSpan.FromMinutes(1));

        await transport.DisposeAsync();

        Assert.False(await send.WaitAsync(TimeSpan.FromSeconds(2)));
        Assert.False(await transport.SendAsync(Payloads.Yaml("type: status\n"), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_send_waiting_for_a_peer_is_cancellable()
    {
        await using var transport = PairTransport.Connect(_path.Address, _logger);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => transport.SendAsync(Payloads.Yaml("type: status\n"), TimeSpan.FromMinutes(1), cancel.Token));
    }

    [Fact]
    public async Task A_send_queued_before_the_presenter_binds_is_delivered_when_it_does()
    {
        await using var transport = PairTransport.Connect(_path.Address, _logger);
        var send = transport.SendAsync(Payloads.Yaml("type: status\nstatus: started\n"), TimeSpan.FromSeconds(10));

        await using var presenter = await PythonPeer.StartZmqAsync("bind", _path.Address);

        Assert.True(await send);
        Assert.Equal(Payloads.Yaml("type: status\nstatus: started\n"), await presenter.ReceiveAsync(TimeSpan.FromSeconds(5)));
    }

    private PairTransport Create(string mode) => mode switch
    {
        "ipc-connect" => PairTransport.Connect(_path.Address, _logger),
        "ipc-bind" => PairTransport.Bind(_path.Address, _ => true, _logger),
        "tcp-connect" => PairTransport.Connect($"tcp://127.0.0.1:{UnusedPort()}", _logger),
        _ => PairTransport.Bind($"tcp://127.0.0.1:{UnusedPort()}", _ => true, _logger),
    };

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
