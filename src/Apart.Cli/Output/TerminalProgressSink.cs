using Apart.Protocol;
using Spectre.Console;

namespace Apart.Cli.Output;

/// <summary>Moves a Spectre.Console progress bar with each message.</summary>
internal sealed class TerminalProgressSink(ProgressTask task, JobDetailsColumn details) : IProgressSink
{
    /// <inheritdoc/>
    public void Report(JobProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        details.Latest = progress;
        task.Value = Math.Clamp(progress.Complete, 0, 1) * task.MaxValue;
    }

    /// <inheritdoc/>
    public void Cancelling() => details.Cancelling = true;
}
