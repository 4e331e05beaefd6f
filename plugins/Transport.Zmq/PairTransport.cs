using System.Threading.Channels;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Transport.Zmq;

/// <summary>
/// A ZeroMQ PAIR transport to one presenter, over <c>tcp://</c> or over <c>ipc://</c> as libzmq
/// means it: a real Unix domain socket at the path (docs/PROTOCOL.md §1).
/// </summary>
/// <remarks>
/// <para>NetMQ's own ipc:// is TCP in disguise and never meets a libzmq peer. So for ipc:// the
/// NetMQ socket connects over TCP to an in-process relay on 127.0.0.1, which accepts only this
/// process's own connection and copies its bytes, ZMTP unchanged, to and from the Unix socket.</para>
/// <para>A message is one frame. A multi-frame message from the peer is reported as its first
/// frame; the other frames are dropped and logged.</para>
/// <para>A send counts as handed over only while a presenter is connected. As with libzmq, a
/// message handed over just before the presenter vanished, and not yet written, goes to the next
/// presenter that connects.</para>
/// </remarks>
public sealed class PairTransport : ITransport
{
    private readonly PairSocketLoop _loop;
    private readonly IAsyncDisposable? _relay;
    private readonly LoopbackListener? _loopback;
    private int _disposed;

    private PairTransport(PairSocketLoop loop, IAsyncDisposable? relay, LoopbackListener? loopback)
    {
        _loop = loop;
        _relay = relay;
        _loopback = loopback;
    }

    /// <inheritdoc/>
    public ChannelReader<TransportEvent> Events => _loop.Events;

    /// <summary>Bytes of messages received and not yet taken through <see cref="Events"/>; tests watch it.</summary>
    internal long UnreadBytes => _loop.UnreadBytes;

    /// <summary>The relay's loopback port for ipc:// (0 for tcp://); tests knock on it.</summary>
    internal int RelayPort => _loopback?.Port ?? 0;

    /// <summary>
    /// Connect mode: reaches a presenter that has bound <paramref name="address"/>, and reaches it
    /// again whenever it comes back. Returns at once; <see cref="TransportEvent.PeerConnected"/>
    /// arrives when the presenter is there.
    /// </summary>
    /// <exception cref="ArgumentException">Not an ipc:// or tcp:// address.</exception>
    public static PairTransport Connect(string address, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var parsed = ZmqAddress.Parse(address);
        if (!parsed.IsIpc)
        {
            return new PairTransport(PairSocketLoop.Start(logger, s => s.Connect(address), monitorConnections: true), null, null);
        }

        var loopback = new LoopbackListener(logger);
        try
        {
            var loop = PairSocketLoop.Start(logger, s => s.Connect(loopback.NetMqEndpoint), monitorConnections: false);
            return new PairTransport(loop, new ConnectRelay(parsed, loopback, loop, logger), loopback);
        }
        catch
        {
            loopback.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
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
    /// <see cref="ListenOptions.Admit"/> before a byte is read; a refused peer is logged and
    /// closed, as is anyone connecting while a presenter is connected. Admit runs on the accept
    /// loop: keep it quick.
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
        if (!parsed.IsIpc)
        {
            var certificate = options.CurveSecretKey is { } secret ? CurveServerCertificate(secret) : null;
            if (certificate is null)
            {
                Log.TcpBindUnauthenticated(logger, address);
            }

            return new PairTransport(
                PairSocketLoop.Start(logger, socket =>
                {
                    if (certificate is not null)
                    {
                        socket.Options.CurveServer = true;
                        socket.Options.CurveCertificate = certificate;
                    }

                    socket.Bind(address);
                }, monitorConnections: true),
                null,
                null);
        }

        var unix = UnixSocketListener.Create(parsed, logger, options.SocketMode, options.SocketGroupId);
        LoopbackListener? loopback = null;
        try
        {
            loopback = new LoopbackListener(logger);
            var loop = PairSocketLoop.Start(logger, s => s.Connect(loopback.NetMqEndpoint), monitorConnections: false);
            return new PairTransport(loop, new BindRelay(unix, loopback, loop, options.Admit, logger), loopback);
        }
        catch
        {
            unix.Dispose();
            loopback?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    private static NetMQ.NetMQCertificate CurveServerCertificate(string secretKeyZ85)
    {
        try
        {
            return NetMQ.NetMQCertificate.CreateFromSecretKey(secretKeyZ85.Trim());
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            throw new ArgumentException("The CURVE secret key must be 40 characters of Z85.", nameof(secretKeyZ85), e);
        }
    }

    /// <inheritdoc/>
    public Task<bool> SendAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _loop.SendAsync(message, timeout, cancellationToken);

    /// <summary>
    /// Closes the NetMQ socket (flushing what was already handed over, within its linger), then
    /// the relay and the poller thread, and removes the Unix socket file this transport created.
    /// Pending sends complete with false.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // NetMQ first: closing its socket (with linger) flushes what was sent last — a core's
        // "status: dying" — into the relay, which passes it on before it stops.
        try
        {
            await _loop.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                if (_relay is not null)
                {
                    await _relay.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                if (_loopback is not null)
                {
                    await _loopback.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }
}
