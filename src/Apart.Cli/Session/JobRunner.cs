using Apart.Protocol;
using Apart.Cli.Output;

namespace Apart.Cli.Session;

/// <summary>
/// Runs one job on a core and follows it to its end, showing its progress. An interruption
/// (Ctrl-C) becomes a <c>cancel-*</c> request with the job's id; the job ends when the core says
/// so, with <c>Cancelled</c>, never before. Messages of the jobs in <paramref name="othersJobs"/>
/// (a service's jobs already running when we connected) are not ours and pass by.
/// </summary>
internal sealed class JobRunner(ICoreChannel session, IProgressDisplay display, IReadOnlyCollection<string>? othersJobs = null)
{
    private readonly IReadOnlyCollection<string> _othersJobs = othersJobs ?? [];

    /// <summary>Sends <paramref name="request"/> and follows the job it starts to its last message.</summary>
    /// <param name="kind">The job the request starts.</param>
    /// <param name="title">What the progress display calls it, e.g. <c>clone loop3</c>.</param>
    /// <param name="interrupted">Fires on Ctrl-C: cancel the job through the protocol.</param>
    /// <exception cref="CoreLostException">The core went away mid-job.</exception>
    public async Task<JobOutcome> RunAsync(Request request, JobKind kind, string title, CancellationToken interrupted)
    {
        await session.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        return await display.ShowAsync(title, progress => FollowAsync(kind, progress, interrupted)).ConfigureAwait(false);
    }

    private async Task<JobOutcome> FollowAsync(JobKind kind, IProgressSink progress, CancellationToken interrupted)
    {
        string? id = null;
        var interruptSeen = false;
        var cancelSent = false;
        while (true)
        {
            if (interruptSeen && !cancelSent && id is not null)
            {
                await session.SendAsync(new CancelRequest(kind, id), CancellationToken.None).ConfigureAwait(false);
                cancelSent = true;
                progress.Cancelling();
            }

            CoreEvent message;
            try
            {
                message = await session.ReceiveAsync(interruptSeen ? CancellationToken.None : interrupted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
                // The id comes with the job's first message, within half a second of the request.
                interruptSeen = true;
                continue;
            }

            switch (message)
            {
                case JobProgress other when _othersJobs.Contains(other.Id):
                case JobFailed failedOther when _othersJobs.Contains(failedOther.Id):
                    break;
                case JobProgress update when update.Kind == kind && (id is null || update.Id == id):
                    id = update.Id;
                    progress.Report(update);
                    if (update.Finish is not null)
                    {
                        return new JobOutcome.Succeeded(update);
                    }

                    break;
                case JobFailed failed when failed.Kind == kind && (id is null || failed.Id == id):
                    return cancelSent && failed.Error == JobFailed.Cancelled
                        ? new JobOutcome.Cancelled(failed)
                        : new JobOutcome.Failed(failed.Error, failed);
                case RequestError error when error.Request == MessageTypes.Job(kind) || error.Request is null && id is null:
                    return new JobOutcome.Failed(error.Error, null);
            }
        }
    }
}
