using Spectre.Console;

namespace Apart.Cli.Output;

/// <summary>A live progress bar (Spectre.Console): percent, rate, time left, <c>syncing…</c>.</summary>
internal sealed class TerminalProgressDisplay(IAnsiConsole console, TimeProvider time) : IProgressDisplay
{
    /// <inheritdoc/>
    public Task<T> ShowAsync<T>(string title, Func<IProgressSink, Task<T>> follow)
    {
        ArgumentNullException.ThrowIfNull(follow);
        var details = new JobDetailsColumn(time);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                details,
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 100);
                try
                {
                    return await follow(new TerminalProgressSink(task, details)).ConfigureAwait(false);
                }
                finally
                {
                    task.StopTask();
                }
            });
    }
}
