using System.Diagnostics;
using Apart.Abstractions;
using Xunit.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>DisposeAsync returns quickly whatever the peer does, and leaves nothing behind.</summary>
public sealed class DisposeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_quick = TimeSpan.FromSeconds(2);
    private readonly TestSocketPath _path = new();
    private readonly TestLogger _logger = new(output);

    public void Dispose() => _path.Dispose();

    [Theory]
    [InlineData("ipc-connect")]
    [InlineData("ipc-bind")]
    [InlineData("tcp-connect")]
    public async Task Without_a_peer(string mode)
    {
        var transport = mode switch
        {
            "ipc-connect" => PairTransport.Connect(_path.Address, _logger),
            "ipc-bind" => PairTransport.Bind(_path.Address, _ => true, _logger),
            _ => PairTransport.Connect("tcp://127.0.0.1:9", _logger),
        };

        await AssertDisposesQuicklyAsync(transport);
        Assert.False(File.Exists(_path.Path));
    }

    [Theory]
    [InlineData("ipc", false)]
    [InlineData("ipc", true)]
    [InlineData("tcp", false)]
    [InlineData("tcp", true)]
    public async Task In_connect_mode_with_a_presenter_alive_or_killed(string scheme, bool killed)
    {
        await using var presenter = await PythonPeer.StartZmqAsync("bind", scheme == "ipc" ? _path.Address : "tcp://127.0.0.1:*");
        var transport = PairTransport.Connect(presenter.Endpoint, _logger);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();
        Assert.True(await transport.SendAsync(Payloads.OneMebibyte(), TimeSpan.FromSeconds(5)));
        if (killed)
        {
            presenter.Kill();
        }

        await AssertDisposesQuicklyAsync(transport);
    }

    [Fact]
    public async Task In_bind_mode_with_a_presenter_that_stopped_reading()
    {
        var transport = PairTransport.Bind(_path.Address, _ => true, _logger);
        await using var presenter = await PythonPeer.StartZmqAsync("connect", _path.Address);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();

        // Fill the socket buffers: the presenter reads nothing, so the relay's copy blocks.
        var big = Payloads.OneMebibyte();
        for (var i = 0; i < 8; i++)
        {
            await transport.SendAsync(big, TimeSpan.FromMilliseconds(200));
        }

        await AssertDisposesQuicklyAsync(transport);
        Assert.False(File.Exists(_path.Path));
    }

    private static async Task AssertDisposesQuicklyAsync(PairTransport transport)
    {
        var clock = Stopwatch.StartNew();
        await transport.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, s_quick);

        await transport.DisposeAsync();
        // The channel ends: whatever was still unread comes out, then the reading stops.
        await DrainAsync(transport).WaitAsync(TimeSpan.FromSeconds(1));
        Assert.False(await transport.SendAsync(Payloads.Yaml("type: status\n"), TimeSpan.FromSeconds(1)));
    }

    private static async Task DrainAsync(PairTransport transport)
    {
        await foreach (var _ in transport.Events.ReadAllAsync())
        {
        }
    }
}
