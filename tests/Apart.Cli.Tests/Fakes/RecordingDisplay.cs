using System.Collections.Concurrent;
using Apart.Protocol;
using Apart.Cli.Output;

namespace Apart.Cli.Tests.Fakes;

/// <summary>A progress display that remembers what it was shown.</summary>
internal sealed class RecordingDisplay : IProgressDisplay, IProgressSink
{
    public ConcurrentQueue<JobProgress> Reports { get; } = new();

    public int Cancellings { get; private set; }

    public Action<JobProgress>? OnReport { get; set; }

    public Task<T> ShowAsync<T>(string title, Func<IProgressSink, Task<T>> follow) => follow(this);

    public void Report(JobProgress progress)
    {
        Reports.Enqueue(progress);
        OnReport?.Invoke(progress);
    }

    public void Cancelling() => Cancellings++;
}
