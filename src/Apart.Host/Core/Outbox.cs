using System.Threading.Channels;
using Apart.Abstractions;
using Apart.Protocol;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>Every message to the presenter passes here, in order, through one sender.</summary>
internal sealed class Outbox(ILogger<Outbox> logger)
{
    /// <summary>A presenter that cannot take a message within this is gone (docs/PROTOCOL.md §1).</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(1);

    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new() { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<CoreEvent> _held = [];
    private int _presence; // changes with every arrival and departure; an arrival counts only if none followed
    private bool _presenterConnected;
    private bool _holding; // the sender's own: messages wait for the presenter's greeting

    /// <summary>Raised (once per failure) when a message could not be delivered within <see cref="SendTimeout"/>.</summary>
    public event Action? SendFailed;

    /// <summary>
    /// A presenter connected: the messages posted from now on are for it (those posted earlier and
    /// not yet sent are dropped, as for no presenter). With <paramref name="greetingFollows"/> (a
    /// service greets each presenter with a status that lists the jobs in flight), messages posted
    /// before that greeting wait for it, so that the presenter hears first where things stand; a
    /// job's progress among them is dropped, as the greeting lists its latest.
    /// </summary>
    public void PresenterArrived(bool greetingFollows)
    {
        int presence;
        lock (_gate)
        {
            presence = ++_presence;
        }

        _ = _queue.Writer.TryWrite(new Entry(new Arrival(presence, greetingFollows), null));
    }

    /// <summary>
    /// The presenter is gone: messages are dropped rather than queued until the next arrives; it
    /// asks for status (or is greeted with one) and gets the jobs' latest progress.
    /// </summary>
    public void PresenterLeft()
    {
        lock (_gate)
        {
            _presence++;
            _presenterConnected = false;
        }
    }

    /// <summary>Queues the greeting of a presenter that arrived with <c>greetingFollows</c>, and after it what waited for it.</summary>
    public void Greet(CoreEvent greeting) => _ = _queue.Writer.TryWrite(new Entry(greeting, null, Greeting: true));

    /// <summary>Queues a message.</summary>
    public void Post(CoreEvent message) => _ = _queue.Writer.TryWrite(new Entry(message, null));

    /// <summary>Queues a message and completes once it was handed to the transport (or dropped).</summary>
    public Task PostAndFlushAsync(CoreEvent message)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(new Entry(message, sent)) ? sent.Task : Task.CompletedTask;
    }

    /// <summary>Sends queued messages through the transport until cancelled.</summary>
    public async Task RunAsync(ITransport transport, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await HandleAsync(transport, entry, cancellationToken).ConfigureAwait(false);
                entry.Sent?.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            while (_queue.Reader.TryRead(out var entry))
            {
                entry.Sent?.TrySetResult();
            }
        }
    }

    private async Task HandleAsync(ITransport transport, Entry entry, CancellationToken cancellationToken)
    {
        if (entry.Message is Arrival arrival)
        {
            lock (_gate)
            {
                _presenterConnected = arrival.Presence == _presence;
            }

            _held.Clear();
            _holding = arrival.GreetingFollows;
            return;
        }

        // Any status tells the presenter where everything stands, so it ends the wait as the
        // greeting does (the answer to a status request, or dying when the core stops first).
        if (_holding && !entry.Greeting && entry.Message is not StatusEvent)
        {
            if (entry.Message is not JobProgress { Finish: null })
            {
                _held.Add(entry.Message);
            }

            return;
        }

        _holding = false;
        await SendAsync(transport, entry.Message, cancellationToken).ConfigureAwait(false);
        foreach (var held in _held)
        {
            await SendAsync(transport, held, cancellationToken).ConfigureAwait(false);
        }

        _held.Clear();
    }

    private async Task SendAsync(ITransport transport, CoreEvent message, CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _presenterConnected))
        {
            logger.MessageDropped(message.GetType().Name);
            return;
        }

        var delivered = await transport.SendAsync(ProtocolCodec.Encode(message), SendTimeout, cancellationToken).ConfigureAwait(false);
        if (!delivered)
        {
            logger.SendTimedOut(message.GetType().Name);
            SendFailed?.Invoke();
        }
    }

    private sealed record Entry(CoreEvent Message, TaskCompletionSource? Sent, bool Greeting = false);

    /// <summary>Not a message: marks in the queue where a presenter arrived.</summary>
    private sealed record Arrival(int Presence, bool GreetingFollows) : CoreEvent;
}
