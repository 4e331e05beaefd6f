using Apart.Protocol;

namespace Apart.Cli.Output;

/// <summary>Where a running job's messages go to be shown.</summary>
internal interface IProgressSink
{
    /// <summary>A progress message of the job, its last (with <c>finish</c>) included.</summary>
    void Report(JobProgress progress);

    /// <summary>A cancel request was sent; the job is stopping.</summary>
    void Cancelling();
}
