using System.Globalization;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>
/// Which of the PAIR socket's connections is the presenter, told from what libzmq reports: its
/// socket monitor (a connection opening and closing, by descriptor; its handshake done) and its ZAP
/// requests (each connection asks once, mid-handshake, before any message of it reaches the socket).
/// One presenter at a time: while one is admitted, every other connection is turned away.
/// </summary>
/// <remarks>
/// <para>Over ipc:// a connection's credentials are read (SO_PEERCRED) when the monitor reports it,
/// and one that is not admitted is shut down then: it gets no more than libzmq's 10-byte greeting
/// signature, and none of its messages is read.</para>
/// <para>A ZAP request does not name its connection's descriptor. Over ipc:// it carries the peer's
/// credentials (libzmq's address "HOST:UID:GID:PID"), and the one open connection with those
/// credentials is the one asking; over tcp:// the one open connection not yet decided is. When that
/// is not exactly one connection (one process opening two at once, say), the request is refused:
/// a refusal never lets anyone in.</para>
/// </remarks>
internal sealed class PresenterGate
{
    private readonly ZmqAddress _address;
    private readonly Func<PeerCredentials, bool>? _admit;
    private readonly Func<int, object?> _identify;
    private readonly ILogger _logger;
    private readonly List<(int Descriptor, object Identity)> _undecided = [];
    private readonly List<(int Descriptor, object Identity)> _refused = [];
    private Presenter? _presenter;
    private int _lastRefusedPid;
    private bool _absenceLogged;

    /// <param name="address">Where the socket binds or connects.</param>
    /// <param name="listening">Bind mode (presenters connect to us) rather than connect mode.</param>
    /// <param name="admit">Bind mode over ipc://: who may be the presenter; null admits everyone.</param>
    /// <param name="identify">
    /// Which connection of this socket a descriptor is: over ipc:// its peer's credentials, over
    /// tcp:// its two ends' addresses; null when it cannot be told or the descriptor is not such a
    /// connection (any more).
    /// </param>
    /// <param name="logger">Where admissions and refusals are told.</param>
    public PresenterGate(
        ZmqAddress address,
        bool listening,
        Func<PeerCredentials, bool>? admit,
        Func<int, object?> identify,
        ILogger logger)
    {
        _address = address;
        Listening = listening;
        _admit = admit;
        _identify = identify;
        _logger = logger;
    }

    /// <summary>Bind mode (presenters connect to us, each asked through ZAP) rather than connect mode.</summary>
    public bool Listening { get; }

    /// <summary>Whether a presenter is admitted and its handshake done.</summary>
    public bool PresenterConnected => _presenter is { Handshaken: true };

    /// <summary>
    /// A connection opened (the monitor's ACCEPTED or CONNECTED). In connect mode it is the
    /// presenter at once (<see cref="Opening.Presenter"/>, with <paramref name="peer"/>): what is sent
    /// now goes out after the handshake. In bind mode it waits for its ZAP request, unless it is to
    /// be shut out at once: over ipc://, a peer the admission check refuses.
    /// </summary>
    public Opening Opened(int descriptor, out PeerCredentials? peer)
    {
        var identity = _identify(descriptor);
        peer = identity as PeerCredentials;
        if (identity is null)
        {
            // Closed already, or its number taken by another descriptor: its ZAP request finds nothing.
            Log.PeerCredentialsUnreadable(_logger, $"descriptor {descriptor}");
            return Opening.Undecided;
        }

        if (!Listening)
        {
            _presenter = new Presenter(descriptor, peer) { Handshaken = true };
            _absenceLogged = false;
            Log.PresenterConnected(_logger, _address.Original, peer?.Pid ?? -1, peer?.Uid ?? uint.MaxValue);
            return Opening.Presenter;
        }

        if (peer is not null && _admit is not null && !Admits(peer))
        {
            _refused.Add((descriptor, identity));
            return Opening.ShutOut;
        }

        _undecided.Add((descriptor, identity));
        return Opening.Undecided;
    }

    /// <summary>
    /// A ZAP request from the connection at <paramref name="zapAddress"/>. While a presenter is
    /// connected the asking connection is to be turned away (<paramref name="descriptor"/> is its
    /// descriptor): closed unanswered, so that its libzmq tries again, as it does not after a refusal.
    /// </summary>
    public ZapAnswer Authenticate(string zapAddress, out int descriptor)
    {
        descriptor = -1;
        var claimed = _address.IsIpc ? ParseCredentials(zapAddress) : null;
        if (_address.IsIpc && claimed is null)
        {
            Log.PeerCredentialsUnreadable(_logger, $"libzmq gave the address '{zapAddress}'");
            return ZapAnswer.Refuse;
        }

        var asking = _undecided.FindAll(c => claimed is null || Equals(c.Identity, claimed));
        if (asking.Count != 1)
        {
            // A refused connection whose handshake got this far before its shutdown was told already.
            if (asking.Count != 0 || !_refused.Exists(c => Equals(c.Identity, claimed)))
            {
                Log.ConnectionNotIdentified(_logger, asking.Count, claimed?.Pid ?? -1);
            }

            return ZapAnswer.Refuse;
        }

        descriptor = asking[0].Descriptor;
        if (_presenter is not null)
        {
            if (IsNewRefusal(claimed))
            {
                Log.PresenterRefusedBusy(_logger, claimed?.Pid ?? -1, claimed?.Uid ?? uint.MaxValue);
            }

            // Its descriptor is shut only while it is that very connection still: its number may
            // have been closed and reused by now.
            return Equals(_identify(descriptor), asking[0].Identity) ? ZapAnswer.TurnAway : ZapAnswer.Refuse;
        }

        _undecided.Remove(asking[0]);
        _presenter = new Presenter(descriptor, claimed);
        return ZapAnswer.Admit;
    }

    /// <summary>A handshake succeeded: true, with who it is, when it is the admitted presenter's (bind mode).</summary>
    public bool HandshakeSucceeded(out PeerCredentials? peer)
    {
        peer = _presenter?.Peer;
        if (_presenter is not { Handshaken: false } presenter)
        {
            return false;
        }

        presenter.Handshaken = true;
        if (peer is not null)
        {
            Log.PresenterAdmitted(_logger, peer.Pid, peer.Uid);
        }

        return true;
    }

    /// <summary>A connection closed (the monitor's DISCONNECTED): true when the presenter left.</summary>
    public bool Closed(int descriptor)
    {
        if (_presenter?.Descriptor == descriptor)
        {
            var wasConnected = _presenter.Handshaken;
            _presenter = null;
            if (wasConnected)
            {
                if (Listening)
                {
                    Log.PresenterLeft(_logger);
                }
                else
                {
                    Log.PresenterDisconnected(_logger, _address.Original);
                }
            }

            return wasConnected;
        }

        if (_undecided.FindIndex(c => c.Descriptor == descriptor) is var undecided and >= 0)
        {
            _undecided.RemoveAt(undecided);
        }
        else if (_refused.FindIndex(c => c.Descriptor == descriptor) is var refused and >= 0)
        {
            _refused.RemoveAt(refused);
        }

        return false;
    }

    /// <summary>
    /// The socket was closed for a new one: its connections closed with it, unreported (their
    /// events went with its monitor), and none of them is waiting, admitted or the presenter any more.
    /// </summary>
    public void SocketReplaced()
    {
        _presenter = null;
        _undecided.Clear();
        _refused.Clear();
    }

    /// <summary>Connect mode: the presenter was not there; said once per absence.</summary>
    public void ConnectRetried()
    {
        if (_absenceLogged)
        {
            return;
        }

        _absenceLogged = true;
        Log.PresenterUnreachable(_logger, _address.Original, WhyUnreachable());
    }

    /// <summary>libzmq's ZAP address for a Unix socket ends in the peer's ":UID:GID:PID".</summary>
    internal static PeerCredentials? ParseCredentials(string zapAddress)
    {
        var fields = zapAddress.Split(':');
        return fields.Length >= 4 &&
            uint.TryParse(fields[^3], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) &&
            uint.TryParse(fields[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid) &&
            int.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? new PeerCredentials(pid, uid, gid)
            : null;
    }

    private bool Admits(PeerCredentials peer)
    {
        bool admitted;
        try
        {
            admitted = _admit!(peer);
        }
#pragma warning disable CA1031 // Whatever the caller's check throws, the answer is no.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.AdmitCheckFailed(_logger, peer.Pid, peer.Uid, e);
            return false;
        }

        if (!admitted && IsNewRefusal(peer))
        {
            Log.PresenterRefused(_logger, peer.Pid, peer.Uid);
        }

        return admitted;
    }

    // libzmq peers retry every 100 ms: a refusal is worth one warning per process, not ten a second.
    private bool IsNewRefusal(PeerCredentials? peer)
    {
        var pid = peer?.Pid ?? -1;
        if (pid == _lastRefusedPid)
        {
            Log.PresenterRefusedAgain(_logger, pid);
            return false;
        }

        _lastRefusedPid = pid;
        return true;
    }

    private string WhyUnreachable()
    {
        if (!_address.IsIpc || _address.IsAbstract)
        {
            return "nobody listens there";
        }

        try
        {
            return UnixSocketFile.Inspect(_address.UnixPath!, out _) == UnixSocketFile.Kind.Missing
                ? "no socket at the path"
                : "nobody listens on the socket";
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    private sealed class Presenter(int descriptor, PeerCredentials? peer)
    {
        public int Descriptor { get; } = descriptor;

        public PeerCredentials? Peer { get; } = peer;

        public bool Handshaken { get; set; }
    }
}

/// <summary>What a ZAP request is answered.</summary>
internal enum ZapAnswer
{
    /// <summary>200: the connection is the presenter.</summary>
    Admit,

    /// <summary>400: libzmq closes the connection, and its peer does not try again.</summary>
    Refuse,

    /// <summary>No answer: the connection is shut down, and its peer tries again shortly.</summary>
    TurnAway,
}

/// <summary>What a connection that opened is.</summary>
internal enum Opening
{
    /// <summary>Its ZAP request decides.</summary>
    Undecided,

    /// <summary>Refused: to be shut down at once.</summary>
    ShutOut,

    /// <summary>Connect mode: the presenter.</summary>
    Presenter,
}
