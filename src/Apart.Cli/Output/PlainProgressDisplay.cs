namespace Apart.Cli.Output;

/// <summary>Progress as one plain line per message, for pipes, logs and CI: no redraws.</summary>
internal sealed class PlainProgressDisplay(TextWriter writer, TimeProvider time) : IProgressDisplay
{
    /// <inheritdoc/>
    public Task<T> ShowAsync<T>(string title, Func<IProgressSink, Task<T>> follow)
    {
        ArgumentNullException.ThrowIfNull(follow);
        return follow(new PlainProgressSink(writer, time, title));
    }
}
