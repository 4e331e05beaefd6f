using Apart.Abstractions;
using Apart.Host.Jobs;
using Apart.Protocol;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>
/// A core's life with its presenters, over one job engine: open the transport, serve until
/// something ends it, then stop every job and say so (docs/PROTOCOL.md §1, §8). Connect mode
/// and service mode differ in how they open, greet and end; everything else is here.
/// </summary>
internal abstract class Session(SessionParts parts)
{
    /// <summary>How serving ended.</summary>
    protected enum Ending
    {
        /// <summary>kill-request.</summary>
        Killed,

        /// <summary>SIGTERM or SIGINT (or a service's transport closing).</summary>
        Stopped,

        /// <summary>The presenter went away and did not come back in time, or stopped reading.</summary>
        PresenterLost,

        /// <summary>Something failed that the core cannot go on from (a bug): its jobs are still stopped.</summary>
        Failed,
    }

    protected SessionParts Parts { get; } = parts;

    /// <summary>Opens the transport to the presenter, or to the presenters to come.</summary>
    /// <exception cref="IOException">The address cannot be used (and the like: see <see cref="ITransportFactory"/>).</exception>
    public abstract ITransport Open(ITransportFactory factory, string address);

    /// <summary>Serves until the session ends; the process's exit status.</summary>
    public async Task<int> RunAsync(ITransport transport, CancellationToken stopping)
    {
        using var sending = new CancellationTokenSource();
        var sender = Parts.Outbox.RunAsync(transport, sending.Token);
        Ending ending;
        try
        {
            ending = await ServeAsync(new PresenterLink(transport, Parts.Outbox, Parts.Time), stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            ending = Ending.Stopped;
        }
#pragma warning disable CA1031 // The core must still stop its jobs and exit cleanly.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Parts.Logger.CoreFailed(e);
            ending = Ending.Failed;
        }

        Parts.Logger.Ending(ending.ToString());
        await Parts.Router.StopAsync().ConfigureAwait(false);
        int code;
        if (ending == Ending.PresenterLost)
        {
            // Nobody is listening: stop the jobs and clean up without a word (docs/PROTOCOL.md §1).
            Parts.Outbox.PresenterLeft();
            await Parts.Jobs.CancelAllAsync().ConfigureAwait(false);
            await Parts.Mounter.UnmountAllAsync(CancellationToken.None).ConfigureAwait(false);
            code = ExitStatus.PresenterLost;
        }
        else
        {
            await Parts.Jobs.CancelAllAsync().ConfigureAwait(false);

            // Whoever ends a core ends its mounts: nothing would serve their files any more (docs/PROTOCOL.md §11).
            await Parts.Mounter.UnmountAllAsync(CancellationToken.None).ConfigureAwait(false);
            await Parts.Outbox.PostAndFlushAsync(new StatusEvent(CoreStatus.Dying)).ConfigureAwait(false);
            code = ending == Ending.Failed ? ExitStatus.Failed : ExitStatus.Stopped;
        }

        await sending.CancelAsync().ConfigureAwait(false);
        await sender.ConfigureAwait(false);
        return code;
    }

    /// <summary>Acts on what happens until something ends the session.</summary>
    protected abstract Task<Ending> ServeAsync(PresenterLink link, CancellationToken stopping);
}

/// <summary>What both kinds of session are made of.</summary>
internal sealed record SessionParts(
    CoreOptions Options,
    Outbox Outbox,
    RequestRouter Router,
    JobRegistry Jobs,
    Mounting.ImageMounter Mounter,
    Startup Startup,
    TimeProvider Time,
    ILogger<Session> Logger);
