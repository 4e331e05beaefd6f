using System.Threading.Channels;

namespace Apart.Abstractions;

/// <summary>Creates transports for the addresses it understands.</summary>
public interface ITransportFactory
{
    /// <summary>Whether this factory handles <paramref name="address"/> (by its scheme, e.g. <c>ipc://</c>).</summary>
    bool Supports(string address);

    /// <summary>
    /// Connect mode: reaches a presenter that has bound <paramref name="address"/>. Returns at once;
    /// <see cref="TransportEvent.PeerConnected"/> arrives when the connection is up.
    /// </summary>
    ITransport Connect(string address);

    /// <summary>
    /// Service mode: binds <paramref name="address"/> and serves one presenter at a time, admitting
    /// each by <see cref="ListenOptions.Admit"/>. Throws when the address cannot be bound.
    /// </summary>
    ITransport Listen(string address, ListenOptions options);
}

/// <summary>A message channel to one presenter at a time. Messages are whole; each is one YAML document.</summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>What arrives from the presenter, in order: messages and the presenter coming and going.</summary>
    ChannelReader<TransportEvent> Events { get; }

    /// <summary>
    /// Sends one message. Returns false when it could not be handed over within
    /// <paramref name="timeout"/> (no presenter, or one that stopped reading).
    /// </summary>
    Task<bool> SendAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>Something that happened on a transport.</summary>
public abstract record TransportEvent
{
    private TransportEvent()
    {
    }

    /// <summary>A message from the presenter.</summary>
    public sealed record MessageReceived(ReadOnlyMemory<byte> Payload) : TransportEvent;

    /// <summary>A presenter is connected and can receive messages.</summary>
    public sealed record PeerConnected : TransportEvent
    {
        /// <summary>
        /// Who connected, as the kernel reports it (a Unix socket's SO_PEERCRED); null where the
        /// transport cannot tell (tcp://). The core gives the images this presenter asks for to
        /// this user.
        /// </summary>
        public PeerCredentials? Peer { get; init; }
    }

    /// <summary>The presenter went away; messages sent now are lost until one connects.</summary>
    public sealed record PeerDisconnected : TransportEvent;
}
