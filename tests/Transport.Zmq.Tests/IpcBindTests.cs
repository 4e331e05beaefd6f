using System.Collections.Concurrent;
using System.Net.Sockets;
using Apart.Abstractions;
using Xunit.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>Bind mode over ipc://: we own the Unix socket and admit presenters by their credentials.</summary>
public sealed class IpcBindTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(5);
    private readonly TestSocketPath _path = new();
    private readonly TestLogger _logger = new(output);

    public void Dispose() => _path.Dispose();

    [Fact]
    public async Task An_admitted_pyzmq_peer_exchanges_messages_and_the_socket_file_is_0600_until_disposed()
    {
        var seen = new ConcurrentQueue<PeerCredentials>();
        await using (var transport = PairTransport.Bind(_path.Address, peer => { seen.Enqueue(peer); return true; }, _logger))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path.Path));
            await using var presenter = await PythonPeer.StartZmqAsync("connect", _path.Address);

            var connected = await transport.ExpectAsync<TransportEvent.PeerConnected>();
            Assert.Equal(new PeerCredentials(presenter.Pid, 0, 0), connected.Peer);
            Assert.True(await presenter.SendAsync(Payloads.Yaml("type: status-request\n")));
            Assert.Equal(Payloads.Yaml("type: status-request\n"), await transport.ExpectMessageAsync());
            var big = Payloads.OneMebibyte();
            Assert.True(await transport.SendAsync(big, s_sendTimeout));
            Assert.Equal(big, await presenter.ReceiveAsync(s_sendTimeout));

            var peer = Assert.Single(seen);
            Assert.Equal(presenter.Pid, peer.Pid);
            Assert.Equal(0u, peer.Uid);
        }

        Assert.False(File.Exists(_path.Path));
    }

    [Fact]
    public async Task A_refused_peer_gets_nothing_through()
    {
        var asked = new TaskCompletionSource<PeerCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var transport = PairTransport.Bind(_path.Address, peer => { asked.TrySetResult(peer); return false; }, _logger);
        await using var intruder = await PythonPeer.StartZmqAsync("connect", _path.Address);

        // The intruder's libzmq queues this until its connection is up, which it never is, or,
        // once the refusal ended the connection for good, does not take it: nothing arrives.
        _ = await intruder.SendAsync(Payloads.Yaml("type: clone\nsource: /dev/sda1\n"));
        Assert.Equal(intruder.Pid, (await asked.Task.WaitAsync(TimeSpan.FromSeconds(5))).Pid);
        await transport.ExpectNoEventAsync(TimeSpan.FromSeconds(1.5));
        Assert.Null(await intruder.ReceiveAsync(TimeSpan.FromMilliseconds(200)));
        Assert.False(await transport.SendAsync(Payloads.Yaml("type: status\n"), TimeSpan.FromMilliseconds(300)));
        Assert.Contains(_logger.Entries, e => e.Message.Contains($"not admitted (pid {intruder.Pid}, uid 0)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_presenter_is_refused_while_one_is_connected()
    {
        await using var transport = PairTransport.Bind(_path.Address, _ => true, _logger);
        await using var first = await PythonPeer.StartZmqAsync("connect", _path.Address);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();

        await using var second = await PythonPeer.StartZmqAsync("connect", _path.Address);
        Assert.True(await second.SendAsync(Payloads.Yaml("type: from-second\n")));
        Assert.True(await first.SendAsync(Payloads.Yaml("type: from-first\n")));
        Assert.Equal(Payloads.Yaml("type: from-first\n"), await transport.ExpectMessageAsync());
        await transport.ExpectNoEventAsync(TimeSpan.FromSeconds(1));
        Assert.Contains(_logger.Entries, e => e.Message.Contains($"another presenter is connected (pid {second.Pid}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ipc")]
    [InlineData("tcp")]
    public async Task Presenters_coming_one_right_after_another_each_get_their_answer(string scheme)
    {
        // Each new presenter connects while the last one's connection may still be closing: it
        // must wait its turn, never be taken in while libzmq still holds the last one's pipe.
        const int Presenters = 40;
        var address = scheme == "ipc" ? _path.Address : $"tcp://127.0.0.1:{TcpTests.FreeTcpPort()}";
        await using var transport = PairTransport.Bind(address, new ListenOptions { Admit = _ => true }, _logger);
        using var stop = new CancellationTokenSource();
        var connections = 0;
        var echo = Task.Run(async () =>
        {
            await foreach (var happened in transport.Events.ReadAllAsync(stop.Token))
            {
                if (happened is TransportEvent.PeerConnected)
                {
                    connections++;
                }
                else if (happened is TransportEvent.MessageReceived received)
                {
                    _ = await transport.SendAsync(received.Payload, s_sendTimeout);
                }
            }
        });

        var answered = await PythonPeer.ChurnAsync(address, Presenters);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => echo);

        Assert.Equal(Presenters, answered);
        Assert.Equal(Presenters, connections);
    }

    [Fact]
    public async Task Reports_the_presenter_killed_and_admits_the_next_one()
    {
        await using var transport = PairTransport.Bind(_path.Address, _ => true, _logger);
        await using (var first = await PythonPeer.StartZmqAsync("connect", _path.Address))
        {
            await transport.ExpectAsync<TransportEvent.PeerConnected>();
            Assert.True(await first.SendAsync(Payloads.Yaml("type: status-request\n")));
            Assert.Equal(Payloads.Yaml("type: status-request\n"), await transport.ExpectMessageAsync());
            first.Kill();
            await transport.ExpectAsync<TransportEvent.PeerDisconnected>(TimeSpan.FromSeconds(5));
        }

        await using var second = await PythonPeer.StartZmqAsync("connect", _path.Address);
        await transport.ExpectAsync<TransportEvent.PeerConnected>(TimeSpan.FromSeconds(5));
        Assert.True(await transport.SendAsync(Payloads.Yaml("type: status\n"), s_sendTimeout));
        Assert.Equal(Payloads.Yaml("type: status\n"), await second.ReceiveAsync(s_sendTimeout));
    }

    [Fact]
    public async Task The_last_message_of_a_presenter_that_leaves_arrives_before_it_leaving()
    {
        await using var transport = PairTransport.Bind(_path.Address, _ => true, _logger);
        await using var presenter = await PythonPeer.StartZmqAsync("connect", _path.Address);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();

        await presenter.SendAndExitAsync(Payloads.Yaml("type: cancel-clone\nid: 8db93abe\n"));

        Assert.Equal(Payloads.Yaml("type: cancel-clone\nid: 8db93abe\n"), await transport.ExpectMessageAsync());
        await transport.ExpectAsync<TransportEvent.PeerDisconnected>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Binds_in_the_abstract_namespace()
    {
        var address = $"ipc://@apart-zmq-test-{Guid.NewGuid():N}";
        await using var transport = PairTransport.Bind(address, _ => true, _logger);
        await using var presenter = await PythonPeer.StartZmqAsync("connect", address);

        await transport.ExpectAsync<TransportEvent.PeerConnected>();
        Assert.True(await presenter.SendAsync(Payloads.Yaml("type: status-request\n")));
        Assert.Equal(Payloads.Yaml("type: status-request\n"), await transport.ExpectMessageAsync());
    }

    [Fact]
    public async Task Refuses_to_bind_over_a_regular_file()
    {
        await File.WriteAllTextAsync(_path.Path, "keep me");

        Assert.Throws<IOException>(() => PairTransport.Bind(_path.Address, _ => true, _logger));
        Assert.Equal("keep me", await File.ReadAllTextAsync(_path.Path));
    }

    [Fact]
    public void Refuses_to_bind_over_a_symlink_and_does_not_follow_it()
    {
        var target = _path.Path + ".target";
        File.CreateSymbolicLink(_path.Path, target);
        try
        {
            Assert.Throws<IOException>(() => PairTransport.Bind(_path.Address, _ => true, _logger));
            Assert.False(File.Exists(target));
            Assert.Equal(target, new FileInfo(_path.Path).LinkTarget);
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public async Task Replaces_a_stale_socket_file()
    {
        // A socket file left by a process that died: python, unlike .NET, does not remove it on close.
        using (var python = System.Diagnostics.Process.Start(
            "/usr/bin/python3", ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", _path.Path]))
        {
            await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.True(File.Exists(_path.Path));
        await using var transport = PairTransport.Bind(_path.Address, _ => true, _logger);
        await using var presenter = await PythonPeer.StartZmqAsync("connect", _path.Address);
        await transport.ExpectAsync<TransportEvent.PeerConnected>();
    }

    [Fact]
    public async Task Dispose_leaves_alone_a_file_that_replaced_its_socket()
    {
        var transport = PairTransport.Bind(_path.Address, _ => true, _logger);
        File.Delete(_path.Path);
        await File.WriteAllTextAsync(_path.Path, "someone else's");

        await transport.DisposeAsync();

        Assert.Equal("someone else's", await File.ReadAllTextAsync(_path.Path));
    }

    [Fact]
    public void Refuses_a_path_another_process_listens_on()
    {
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(_path.Path));
        live.Listen();

        Assert.Throws<IOException>(() => PairTransport.Bind(_path.Address, _ => true, _logger));
        Assert.True(File.Exists(_path.Path));
    }
}
