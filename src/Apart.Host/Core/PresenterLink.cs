using Apart.Abstractions;

namespace Apart.Host.Core;

/// <summary>
/// What happens between the core and its presenters, one thing at a time: a session waits for
/// the next and acts on it. A presenter that stops taking messages counts as something that
/// happened too, as does a deadline passing.
/// </summary>
internal sealed class PresenterLink
{
    private readonly ITransport _transport;
    private readonly TimeProvider _time;
    private TaskCompletionSource _sendFailed = NewSignal();

    public PresenterLink(ITransport transport, Outbox outbox, TimeProvider time)
    {
        _transport = transport;
        _time = time;
        outbox.SendFailed += () => _sendFailed.TrySetResult();
    }

    /// <summary>What a session learns.</summary>
    public abstract record Happening
    {
        private Happening()
        {
        }

        /// <summary>A presenter connected and can receive messages; <paramref name="Peer"/> is who, where the transport can tell.</summary>
        public sealed record Connected(PeerCredentials? Peer) : Happening;

        /// <summary>The presenter went away.</summary>
        public sealed record Disconnected : Happening;

        /// <summary>A message from the presenter.</summary>
        public sealed record Message(ReadOnlyMemory<byte> Payload) : Happening;

        /// <summary>The presenter did not take a message within the send timeout.</summary>
        public sealed record StoppedReading : Happening;

        /// <summary>The deadline passed first.</summary>
        public sealed record DeadlinePassed : Happening;

        /// <summary>The transport closed for good.</summary>
        public sealed record Closed : Happening;

        /// <summary>The core was asked to stop (SIGTERM, SIGINT).</summary>
        public sealed record Stopping : Happening;
    }

    /// <summary>The next thing that happens, or <see cref="Happening.DeadlinePassed"/> when <paramref name="deadline"/> comes first.</summary>
    public async Task<Happening> NextAsync(DateTimeOffset? deadline, CancellationToken stopping)
    {
        var events = _transport.Events;
        while (true)
        {
            if (events.TryRead(out var happened))
            {
                switch (happened)
                {
                    case TransportEvent.PeerConnected connected:
                        return new Happening.Connected(connected.Peer);
                    case TransportEvent.PeerDisconnected:
                        return new Happening.Disconnected();
                    case TransportEvent.MessageReceived message:
                        return new Happening.Message(message.Payload);
                }

                continue;
            }

            if (_sendFailed.Task.IsCompleted)
            {
                _sendFailed = NewSignal();
                return new Happening.StoppedReading();
            }

            if (stopping.IsCancellationRequested)
            {
                return new Happening.Stopping();
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            if (deadline is { } due)
            {
                var left = due - _time.GetUtcNow();
                wait.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }

            var readable = events.WaitToReadAsync(wait.Token).AsTask();
            if (await Task.WhenAny(readable, _sendFailed.Task).ConfigureAwait(false) != readable)
            {
                continue; // reported at the top of the loop
            }

            try
            {
                if (!await readable.ConfigureAwait(false))
                {
                    return new Happening.Closed();
                }
            }
            catch (OperationCanceledException)
            {
                return stopping.IsCancellationRequested ? new Happening.Stopping() : new Happening.DeadlinePassed();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
