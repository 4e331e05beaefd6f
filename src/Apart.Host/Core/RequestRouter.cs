using Apart.Abstractions.Protocol;
using Apart.Host.Jobs;
using Apart.Host.Protocol;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>Turns each presenter message into the work it asks for, and answers what cannot be done.</summary>
internal sealed class RequestRouter(Outbox outbox, StatusReporter status, JobRegistry jobs, ImageDeleter deleter, ILogger<RequestRouter> logger)
{
    /// <summary>
    /// Handles one message; true when it asks the core to exit (kill-request). Whatever a
    /// message holds, it gets an answer and the core goes on: an unexpected failure is logged
    /// and answered with <c>error</c>.
    /// </summary>
    public async Task<bool> HandleAsync(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return await RouteAsync(payload).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing a presenter sends may stop the core.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.RequestCrashed(e);
            outbox.Post(new RequestError($"The core could not handle this request: {e.Message}", null));
            return false;
        }
        finally
        {
            if (payload.Length > RequestDecoder.MaxMessageBytes)
            {
                // A hostile flood of huge messages must not pile up garbage: give it back now.
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        }
    }

    private async Task<bool> RouteAsync(ReadOnlyMemory<byte> payload)
    {
        Request request;
        try
        {
            request = RequestDecoder.Decode(payload.Span);
        }
        catch (InvalidRequestException e)
        {
            outbox.Post(new RequestError(e.Message, e.RequestType));
            return false;
        }

        switch (request)
        {
            case StatusRequest:
                outbox.Post(await status.ReportAsync(CoreStatus.Running, ProtocolNames.StatusRequest).ConfigureAwait(false));
                return false;
            case KillRequest:
                return true;
            case CloneRequest clone:
                _ = jobs.StartCloneAsync(clone); // answers for itself; validation must not hold up the next message
                return false;
            case RestoreRequest restore:
                _ = jobs.StartRestoreAsync(restore);
                return false;
            case VerifyRequest verify:
                _ = jobs.StartVerifyAsync(verify);
                return false;
            case CancelRequest cancel:
                if (!jobs.Cancel(cancel.Kind, cancel.Id))
                {
                    outbox.Post(new RequestError(
                        $"There is no running {ProtocolNames.Job(cancel.Kind)} job with id {RequestDecoder.Printable(cancel.Id)}.",
                        ProtocolNames.Cancel(cancel.Kind)));
                }

                return false;
            case DeleteCloneRequest delete:
                outbox.Post(deleter.Delete(delete.File));
                return false;
            default:
                outbox.Post(new RequestError($"The core cannot handle {request.GetType().Name}.", null));
                return false;
        }
    }
}
