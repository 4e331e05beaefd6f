using System.Collections.Concurrent;
using System.Threading.Channels;
using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Tests.Fakes;

/// <summary>A scripted core: answers each request with the messages a script gives for it.</summary>
internal sealed class FakeCore(Func<Request, IEnumerable<CoreEvent>> answer) : ICoreChannel
{
    private readonly Channel<CoreEvent> _messages = Channel.CreateUnbounded<CoreEvent>();

    public ConcurrentQueue<Request> Received { get; } = new();

    public Task SendAsync(Request request, CancellationToken cancellationToken = default)
    {
        Received.Enqueue(request);
        foreach (var message in answer(request))
        {
            _messages.Writer.TryWrite(message);
        }

        return Task.CompletedTask;
    }

    public async Task<CoreEvent> ReceiveAsync(CancellationToken cancellationToken = default) =>
        await _messages.Reader.ReadAsync(cancellationToken);

    /// <summary>Sends a message of the core's own accord.</summary>
    public void Say(CoreEvent message) => _messages.Writer.TryWrite(message);
}
