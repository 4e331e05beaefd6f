using Apart.Protocol;

namespace Apart.Cli.Output;

/// <summary>Writes each progress message as a line the moment it arrives.</summary>
internal sealed class PlainProgressSink(TextWriter writer, TimeProvider time, string title) : IProgressSink
{
    /// <inheritdoc/>
    public void Report(JobProgress progress)
    {
        writer.WriteLine(ProgressLine.Format(progress, time.GetUtcNow()));
        writer.Flush();
    }

    /// <inheritdoc/>
    public void Cancelling()
    {
        writer.WriteLine($"{title}: cancelling, waiting for apart-core to stop the job");
        writer.Flush();
    }
}
