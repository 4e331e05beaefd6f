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
    private volatile bool _presenterConnected;

    /// <summary>Raised (once per failure) when a message could not be delivered within <see cref="SendTimeout"/>.</summary>
    public event Action? SendFailed;

    /// <summary>
    /// Whether a presenter is there to receive. While none is, messages are dropped rather than
    /// queued: a presenter that (re)connects asks for status and gets the jobs' latest progress.
    /// </summary>
    public bool PresenterConnected
    {
        get => _presenterConnected;
        set => _presenterConnected = value;
    }

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
                await SendAsync(transport, entry.Message, cancellationToken).ConfigureAwait(false);
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

    private async Task SendAsync(ITransport transport, CoreEvent message, CancellationToken cancellationToken)
    {
        if (!_presenterConnected)
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

    private sealed record Entry(CoreEvent Message, TaskCompletionSource? Sent);
}
