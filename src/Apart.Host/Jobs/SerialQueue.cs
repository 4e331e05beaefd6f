using System.Threading.Channels;

namespace Apart.Host.Jobs;

/// <summary>
/// Work run one piece at a time, in the order it was queued, on a worker of its own: the caller
/// goes on at once. What a piece throws is its own business; it must answer for itself.
/// </summary>
internal sealed class SerialQueue
{
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new() { SingleReader = true });

    public SerialQueue() => _ = Task.Run(RunAsync);

    /// <summary>Queues a piece of work.</summary>
    public void Enqueue(Func<Task> work) => _ = _work.Writer.TryWrite(work);

    /// <summary>Completes once everything queued before this call has run.</summary>
    public Task DrainAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            drained.SetResult();
            return Task.CompletedTask;
        });
        return drained.Task;
    }

    private async Task RunAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await work().ConfigureAwait(false);
        }
    }
}
