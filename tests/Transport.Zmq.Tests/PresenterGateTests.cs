using Apart.Abstractions;
using Xunit.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>
/// Which connection is the presenter, from libzmq's monitor events and ZAP requests, without
/// libzmq: descriptors and credentials as the monitor and SO_PEERCRED would give them.
/// </summary>
public sealed class PresenterGateTests(ITestOutputHelper output)
{
    private static readonly PeerCredentials s_alice = new(4242, 1000, 1000);
    private static readonly PeerCredentials s_bob = new(4343, 1001, 1001);
    private readonly TestLogger _logger = new(output);
    private readonly Dictionary<int, PeerCredentials> _peers = [];

    [Theory]
    [InlineData("localhost:1000:1000:4242", 4242, 1000u, 1000u)]
    [InlineData(":0:0:1", 1, 0u, 0u)]
    public void Reads_the_credentials_libzmq_puts_in_a_unix_socket_zap_address(string address, int pid, uint uid, uint gid) =>
        Assert.Equal(new PeerCredentials(pid, uid, gid), PresenterGate.ParseCredentials(address));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost:a:b:c")]
    public void An_address_without_credentials_gives_none(string address) =>
        Assert.Null(PresenterGate.ParseCredentials(address));

    [Fact]
    public void One_presenter_at_a_time_the_next_is_turned_away_until_the_first_leaves()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_alice), out _));
        Assert.True(gate.HandshakeSucceeded(out var peer));
        Assert.Equal(s_alice, peer);

        Open(gate, 8, s_bob);
        Assert.Equal(ZapAnswer.TurnAway, gate.Authenticate(Zap(s_bob), out var turnedAway));
        Assert.Equal(8, turnedAway);
        Assert.False(gate.Closed(8));
        Assert.True(gate.PresenterConnected);

        Assert.True(gate.Closed(7));
        Assert.False(gate.PresenterConnected);
        Open(gate, 7, s_bob);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_bob), out _));
        Assert.True(gate.HandshakeSucceeded(out peer));
        Assert.Equal(s_bob, peer);
        Assert.Contains(_logger.Entries, e => e.Message.Contains("another presenter is connected (pid 4343", StringComparison.Ordinal));
    }

    [Fact]
    public void The_asking_connection_is_the_open_one_with_the_credentials_in_the_request()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);
        Open(gate, 9, s_bob);

        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_bob), out _));
        Assert.True(gate.HandshakeSucceeded(out _));

        // Alice's connection closing is not the presenter leaving.
        Assert.False(gate.Closed(7));
        Assert.True(gate.Closed(9));
    }

    [Fact]
    public void Two_open_connections_of_one_process_cannot_be_told_apart_and_the_request_is_refused()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);
        Open(gate, 8, s_alice);

        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate(Zap(s_alice), out _));
        Assert.False(gate.HandshakeSucceeded(out _));

        Assert.False(gate.Closed(8));
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_alice), out _));
    }

    [Fact]
    public void A_request_whose_connection_already_closed_is_refused()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);
        Assert.False(gate.Closed(7));

        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate(Zap(s_alice), out _));
    }

    [Fact]
    public void A_peer_not_admitted_is_shut_out_when_its_connection_opens_and_leaves_the_place_free()
    {
        var gate = IpcGate(admit: peer => peer.Uid == s_alice.Uid);
        Assert.Equal(Opening.ShutOut, Open(gate, 7, s_bob));
        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate(Zap(s_bob), out _));
        Assert.False(gate.Closed(7));

        Assert.Equal(Opening.Undecided, Open(gate, 7, s_alice));
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_alice), out _));
        Assert.Single(_logger.Entries, e => e.Message.Contains("not admitted (pid 4343, uid 1001)", StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Entries, e => e.Message.Contains("could be the one asking", StringComparison.Ordinal));
    }

    [Fact]
    public void An_admission_check_that_throws_shuts_the_connection_out()
    {
        var gate = IpcGate(admit: _ => throw new InvalidOperationException("no user database"));

        Assert.Equal(Opening.ShutOut, Open(gate, 7, s_alice));
        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate(Zap(s_alice), out _));
    }

    [Fact]
    public void A_connection_whose_credentials_cannot_be_read_is_never_admitted()
    {
        var gate = IpcGate(admit: _ => true);

        Assert.Equal(Opening.Undecided, gate.Opened(7, out _));
        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate(Zap(s_alice), out _));
    }

    [Fact]
    public void An_ipc_request_without_credentials_is_refused()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);

        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate("localhost", out _));
    }

    [Fact]
    public void A_presenter_whose_handshake_failed_after_admission_never_connected()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_alice), out _));

        Assert.False(gate.Closed(7));
        Open(gate, 8, s_bob);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_bob), out _));
    }

    [Fact]
    public void Over_tcp_the_one_undecided_connection_is_the_one_asking()
    {
        var gate = new PresenterGate(ZmqAddress.Parse("tcp://127.0.0.1:5555"), listening: true, admit: _ => false, d => $"connection {d}", _logger);
        Assert.Equal(Opening.Undecided, gate.Opened(7, out _));
        Assert.Equal(Opening.Undecided, gate.Opened(8, out _));
        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate("127.0.0.1", out _));

        Assert.False(gate.Closed(7));
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate("127.0.0.1", out _));
        Assert.True(gate.HandshakeSucceeded(out var peer));
        Assert.Null(peer);
    }

    [Fact]
    public void A_connection_is_turned_away_only_while_its_descriptor_is_still_that_connection()
    {
        var gate = IpcGate(admit: _ => true);
        Open(gate, 7, s_alice);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate(Zap(s_alice), out _));
        Open(gate, 8, s_bob);

        // Descriptor 8 was closed and its number reused (by another file, or someone else's connection).
        _peers.Remove(8);

        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate(Zap(s_bob), out _));
    }

    [Fact]
    public void Over_tcp_a_second_connection_is_turned_away_while_its_descriptor_is_that_connection()
    {
        var names = new Dictionary<int, string> { [7] = "a", [8] = "b" };
        var gate = new PresenterGate(ZmqAddress.Parse("tcp://127.0.0.1:5555"), listening: true, admit: null,
            d => names.GetValueOrDefault(d), _logger);
        gate.Opened(7, out _);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate("127.0.0.1", out _));
        gate.Opened(8, out _);

        Assert.Equal(ZapAnswer.TurnAway, gate.Authenticate("127.0.0.1", out var turnedAway));
        Assert.Equal(8, turnedAway);
        names[8] = "c";
        Assert.Equal(ZapAnswer.Refuse, gate.Authenticate("127.0.0.1", out _));
    }

    [Fact]
    public void Over_tcp_connections_of_a_replaced_socket_are_forgotten_and_the_new_socket_s_one_is_the_asker()
    {
        // Closed with their socket, unreported: had they stayed undecided, the new socket's first
        // connection would be one of two that could be asking, and refused.
        var gate = new PresenterGate(ZmqAddress.Parse("tcp://127.0.0.1:5555"), listening: true, admit: null, d => $"connection {d}", _logger);
        gate.Opened(7, out _);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate("127.0.0.1", out _));
        Assert.True(gate.HandshakeSucceeded(out _));
        gate.Opened(8, out _);
        Assert.True(gate.Closed(7));

        gate.SocketReplaced();
        gate.Opened(9, out _);
        Assert.Equal(ZapAnswer.Admit, gate.Authenticate("127.0.0.1", out var admitted));
        Assert.Equal(9, admitted);
    }

    [Fact]
    public void In_connect_mode_the_connection_is_the_presenter_from_its_opening_to_its_end()
    {
        var gate = new PresenterGate(ZmqAddress.Parse("ipc:///run/user/1000/apart-gtk.sock"), listening: false, admit: null,
            descriptor => _peers.TryGetValue(descriptor, out var peer) ? peer : null, _logger);
        _peers[7] = s_alice;

        Assert.Equal(Opening.Presenter, gate.Opened(7, out var presenter));
        Assert.Equal(s_alice, presenter);
        Assert.True(gate.PresenterConnected);
        Assert.False(gate.HandshakeSucceeded(out _));
        Assert.True(gate.Closed(7));
        Assert.False(gate.PresenterConnected);
    }

    private static string Zap(PeerCredentials peer) => $"localhost:{peer.Uid}:{peer.Gid}:{peer.Pid}";

    private PresenterGate IpcGate(Func<PeerCredentials, bool> admit) =>
        new(ZmqAddress.Parse("ipc:///run/apart/test.sock"), listening: true, admit,
            descriptor => _peers.TryGetValue(descriptor, out var peer) ? peer : null, _logger);

    private Opening Open(PresenterGate gate, int descriptor, PeerCredentials peer)
    {
        _peers[descriptor] = peer;
        return gate.Opened(descriptor, out _);
    }
}
