using System.Diagnostics.CodeAnalysis;
using Apart.Abstractions;
using Apart.Host.Jobs;
using Apart.Host.Mounting;
using Apart.Protocol;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>
/// Turns each presenter message into the work it asks for, and answers what cannot be done. It
/// never waits on the system itself: status requests are answered in turn on a worker of their
/// own, jobs are checked in turn by the registry, so the next message (a kill-request) is read
/// at once whatever the inventory or a disk is doing.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "One router lives as long as the core; its token source has no timer.")]
internal sealed class RequestRouter(
    Outbox outbox,
    StatusReporter status,
    Startup startup,
    JobRegistry jobs,
    ImageDeleter deleter,
    ImageMounter mounter,
    CoreOptions options,
    ILogger<RequestRouter> logger)
{
    private readonly SerialQueue _statusAnswers = new();
    private readonly SerialQueue _deletions = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Who is connected, as the transport reports it (set by the session as presenters come and
    /// go): the images its requests make are given to that user (<see cref="ImageOwner"/>).
    /// </summary>
    public PeerCredentials? Presenter { get; set; }

    /// <summary>
    /// Handles one message; true when it asks the core to exit (kill-request). Whatever a
    /// message holds, it gets an answer and the core goes on: an unexpected failure is logged
    /// and answered with <c>error</c>.
    /// </summary>
    public bool Route(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return RouteOne(payload);
        }
#pragma warning disable CA1031 // Nothing a presenter sends may stop the core.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.RequestCrashed(e);
            outbox.Post(new RequestError($"The core could not handle this request: {e.Message}"));
            return false;
        }
        finally
        {
            if (payload.Length > ProtocolCodec.MaxMessageBytes)
            {
                // A hostile flood of huge messages must not pile up garbage: give it back now.
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        }
    }

    /// <summary>
    /// Queues the <c>status: running</c> that greets a service's presenter, in turn with the
    /// answers to status requests; what the outbox holds for the presenter follows it.
    /// </summary>
    public void QueueGreeting() => _statusAnswers.Enqueue(() => AnswerStatusAsync(request: null));

    /// <summary>
    /// The presenter went away (a service's presenter disconnected): the mounts it asked for that
    /// are still being opened are cancelled, as nobody waits for them.
    /// </summary>
    public void PresenterLeft() => mounter.PresenterLeft();

    /// <summary>Stops the status answer under way and drops those queued, and answers the mounts being made: the core is ending.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await mounter.StopAsync().ConfigureAwait(false);
        await _statusAnswers.DrainAsync().ConfigureAwait(false);
        await _deletions.DrainAsync().ConfigureAwait(false);
    }

    private bool RouteOne(ReadOnlyMemory<byte> payload)
    {
        Request request;
        try
        {
            request = ProtocolCodec.DecodeRequest(payload.Span);
        }
        catch (InvalidMessageException e)
        {
            outbox.Post(new RequestError(e.Message, e.MessageType));
            return false;
        }

        switch (request)
        {
            case KillRequest:
                return true;
            case StatusRequest:
                _statusAnswers.Enqueue(() => AnswerStatusAsync(MessageTypes.StatusRequest));
                return false;
            case CloneRequest or RestoreRequest or VerifyRequest or CloneDiskRequest or RestoreDiskRequest:
                _ = jobs.StartAsync(request, ImageOwner.Of(Presenter, options.StartedFor)); // answers for itself, in turn
                return false;
            case CancelRequest cancel:
                if (!jobs.Cancel(cancel.Kind, cancel.Id))
                {
                    outbox.Post(new RequestError(
                        $"There is no running {MessageTypes.Job(cancel.Kind)} job with id {Printable.Bounded(cancel.Id)}.",
                        MessageTypes.Cancel(cancel.Kind)));
                }

                return false;
            case MountImageRequest mount:
                mounter.Mount(mount, Presenter); // beside the loop: a first gz mount reads the image whole
                return false;
            case UnmountImageRequest unmount:
                mounter.Unmount(unmount);
                return false;
            case DeleteCloneRequest delete:
                // In turn on a worker of its own: an image directory is read before it is deleted.
                _deletions.Enqueue(async () => outbox.Post(await deleter.DeleteAsync(delete.File, _stopping.Token).ConfigureAwait(false)));
                return false;
            default:
                outbox.Post(new RequestError($"The core cannot handle {request.GetType().Name}."));
                return false;
        }
    }

    /// <param name="request">The status request answered; null for a greeting.</param>
    private async Task AnswerStatusAsync(string? request)
    {
        var stopping = _stopping.Token;
        Action<CoreEvent> answer = request is null ? outbox.Greet : outbox.Post;
        try
        {
            await startup.ProbedAsync(stopping).ConfigureAwait(false);
            answer(await status.ReportAsync(CoreStatus.Running, request, stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The core is ending: it says dying instead.
        }
#pragma warning disable CA1031 // A status that cannot be built is answered with why; the core goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.RequestCrashed(e);
            answer(new RequestError($"The core could not report its status: {e.Message}", request));
        }
    }
}
