using System.Threading.Channels;
using Apart.Abstractions;
using Apart.Protocol;

namespace Apart.Host.Tests.Fakes;

/// <summary>A transport in memory: the test plays the presenter, reading what the core sends as decoded messages.</summary>
internal sealed class FakeTransport : ITransport
{
    private readonly Channel<TransportEvent> _events = Channel.CreateUnbounded<TransportEvent>();
    private readonly Channel<CoreEvent> _sent = Channel.CreateUnbounded<CoreEvent>();

    public ChannelReader<TransportEvent> Events => _events.Reader;

    /// <summary>Whether sends succeed (a presenter that reads).</summary>
    public bool Reading { get; set; } = true;

    public void Connect() => _events.Writer.TryWrite(new TransportEvent.PeerConnected());

    public void Disconnect() => _events.Writer.TryWrite(new TransportEvent.PeerDisconnected());

    public void Send(Request request) => _events.Writer.TryWrite(new TransportEvent.MessageReceived(ProtocolCodec.Encode(request)));

    public void SendRaw(string yaml) => _events.Writer.TryWrite(new TransportEvent.MessageReceived(System.Text.Encoding.UTF8.GetBytes(yaml)));

    public void Close() => _events.Writer.TryComplete();

    /// <summary>The next message the core sent, within <paramref name="seconds"/>.</summary>
    public async Task<CoreEvent> NextAsync(double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        return await _sent.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Messages until one matches, which it returns.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? matches = null, double seconds = 10)
        where T : CoreEvent
    {
        while (true)
        {
            if (await NextAsync(seconds) is T found && (matches is null || matches(found)))
            {
                return found;
            }
        }
    }

    public Task<bool> SendAsync(ReadOnlyMemory<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!Reading)
        {
            return Task.FromResult(false);
        }

        // Decoded as a presenter would: what the core writes must read back.
        _sent.Writer.TryWrite(ProtocolCodec.DecodeEvent(message.Span) ?? throw new InvalidOperationException("the core sent an unknown message type"));
        return Task.FromResult(true);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
