using System.Threading.Channels;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>
/// A ZeroMQ PAIR transport to one presenter, through libzmq itself: over <c>tcp://</c>, or over
/// <c>ipc://</c>, a real Unix domain socket at the path (docs/PROTOCOL.md §1).
/// </summary>
/// <remarks>
/// <para>A message is one frame. A multi-frame message from the peer is reported as its first
/// frame; the other frames are dropped and logged.</para>
/// <para>A send counts as handed over only while a presenter is connected: in bind mode from its
/// handshake on, in connect mode from its connection on (what is sent before the handshake goes
/// out after it). A message handed over just before the presenter vanished, and not yet written,
/// is lost with the connection.</para>
/// </remarks>
public sealed class PairTransport : ITransport
{
    private readonly PairSocketLoop _loop;
    private readonly UnixSocketListener? _listener;
    private int _disposed;

    private PairTransport(PairSocketLoop loop, UnixSocketListener? listener)
    {
        _loop = loop;
        _listener = listener;
    }

    /// <inheritdoc/>
    public ChannelReader<TransportEvent> Events => _loop.Events;

    /// <summary>Bytes of messages received and not yet taken through <see cref="Events"/>; tests watch it.</summary>
    internal long UnreadBytes => _loop.UnreadBytes;

    /// <summary>
    /// Connect mode: reaches a presenter that has bound <paramref name="address"/>, and reaches it
    /// again whenever it comes back. Returns at once; <see cref="TransportEvent.PeerConnected"/>
    /// arrives when the presenter is there, with who bound its socket over ipc://.
    /// </summary>
    /// <exception cref="ArgumentException">Not an ipc:// or tcp:// address.</exception>
    public static PairTransport Connect(string address, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var parsed = ZmqAddress.Parse(address);
        var gate = new PresenterGate(parsed, listening: false, admit: null, Identifier(parsed, listening: false), logger);
        return new PairTransport(
            PairSocketLoop.Start(logger, gate, socket => socket.Connect(address)),
            null);
    }

    /// <summary>
    /// Bind mode for one program's own use (a presenter that then starts its core): the Unix
    /// socket is created with mode 0600 and <paramref name="admit"/> decides who may connect.
    /// </summary>
    /// <exception cref="ArgumentException">Not an ipc:// or tcp:// address.</exception>
    /// <exception cref="IOException">PATH holds something other than a stale socket.</exception>
    public static PairTransport Bind(string address, Func<PeerCredentials, bool> admit, ILogger logger) =>
        Bind(address, new ListenOptions { Admit = admit, SocketMode = FileModes.OwnerOnly }, logger);

    /// <summary>
    /// Bind mode: listens at <paramref name="address"/> for one presenter at a time.
    /// </summary>
    /// <remarks>
    /// For <c>ipc://PATH</c> the Unix socket is created at PATH (and its directory, if missing)
    /// with <see cref="ListenOptions.SocketMode"/> and <see cref="ListenOptions.SocketGroupId"/>;
    /// a stale socket there is replaced, anything else (a file, a symlink, a socket someone
    /// listens on) is an error. Each connection's kernel-reported credentials go to
    /// <see cref="ListenOptions.Admit"/> during its handshake, before any message of it is read; a
    /// refused peer is logged and closed, as is anyone connecting while a presenter is connected.
    /// Admit runs on the transport's thread: keep it quick.
    /// For <c>tcp://</c> there are no credentials to check: with <see cref="ListenOptions.CurveSecretKey"/>
    /// the socket is a CURVE server (encrypted; clients must know its public key), without it plain.
    /// </remarks>
    /// <exception cref="ArgumentException">Not an ipc:// or tcp:// address, or a malformed key.</exception>
    /// <exception cref="IOException">PATH holds something other than a stale socket.</exception>
    public static PairTransport Bind(string address, ListenOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var parsed = ZmqAddress.Parse(address);
        var gate = new PresenterGate(parsed, listening: true, options.Admit, Identifier(parsed, listening: true), logger);
        if (!parsed.IsIpc)
        {
            var secretKey = options.CurveSecretKey is { } secret ? CurveSecretKey(secret) : null;
            if (secretKey is null)
            {
                Log.TcpBindUnauthenticated(logger, address);
            }

            return new PairTransport(
                PairSocketLoop.Start(logger, gate, socket =>
                {
                    if (secretKey is not null)
                    {
                        socket.Set(LibZmq.CURVE_SERVER, 1);
                        socket.Set(LibZmq.CURVE_SECRETKEY, secretKey);
                    }

                    socket.Bind(address);
                }),
                null);
        }

        var listener = UnixSocketListener.Create(parsed, logger, options.SocketMode, options.SocketGroupId);
        try
        {
            return new PairTransport(PairSocketLoop.Start(logger, gate, socket => socket.Bind(address), listener.HandOver()), listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private static Func<int, object?> Identifier(ZmqAddress address, bool listening) =>
        address.IsIpc ? descriptor => UnixPeerCredentials.Read(descriptor, address, listening) : TcpConnectionName.Read;

    private static unsafe byte[] CurveSecretKey(string secretKeyZ85)
    {
        var text = secretKeyZ85.Trim();
        var key = new byte[32];
        if (text.Length == 40 && text.All(char.IsAscii))
        {
            fixed (byte* z85 = NativeText.NullTerminated(text))
            fixed (byte* binary = key)
            {
                if (LibZmq.Z85Decode(binary, z85) is not null)
                {
                    return key;
                }
            }
        }

        throw new ArgumentException("The CURVE secret key must be 40 characters of Z85.", nameof(secretKeyZ85));
    }

    /// <inheritdoc/>
    public Task<bool> SendAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _loop.SendAsync(message, timeout, cancellationToken);

    /// <summary>
    /// Closes the socket (what was already handed over is written within its linger, 1 s) and the
    /// transport's thread, and removes the Unix socket file this transport created. Pending sends
    /// complete with false.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _loop.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _listener?.Dispose();
        }
    }
}
