using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Host.Codecs;
using Apart.Host.Jobs;
using Apart.Host.Plugins;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>
/// The core's life in connect mode: reach the presenter, say <c>status: started</c>, serve its
/// requests, and end in one of the ways PROTOCOL.md §1 and §8 describe.
/// </summary>
internal sealed class CoreService(
    CoreOptions options,
    IEnumerable<ITransportFactory> transports,
    Outbox outbox,
    RequestRouter router,
    StatusReporter status,
    CodecCatalog codecs,
    JobRegistry jobs,
    InProgressJournal journal,
    PluginLoadReport plugins,
    ExitStatus exit,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<CoreService> logger) : BackgroundService
{
    private enum Ending
    {
        /// <summary>kill-request.</summary>
        Killed,

        /// <summary>SIGTERM or SIGINT.</summary>
        Stopped,

        /// <summary>The presenter went away and did not come back in time, or stopped reading.</summary>
        PresenterLost,
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            exit.Code = await ServeAsync(stoppingToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The core must still stop its jobs and exit cleanly.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.CoreFailed(e);
            exit.Code = ExitStatus.Failed;
            await jobs.CancelAllAsync().ConfigureAwait(false);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task<int> ServeAsync(CancellationToken stopping)
    {
        LogPlugins();
        journal.RemoveStale();
        var factory = transports.FirstOrDefault(candidate => candidate.Supports(options.Address));
        if (factory is null)
        {
            logger.NoTransport(options.Address);
            return ExitStatus.Usage;
        }

        var started = ReportStartedAsync(stopping);
        await using var transport = factory.Connect(options.Address);
        using var sending = new CancellationTokenSource();
        var sender = outbox.RunAsync(transport, sending.Token);
        var presenterStopsReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        outbox.SendFailed += () => presenterStopsReading.TrySetResult();

        var ending = await ListenAsync(transport, started, presenterStopsReading.Task, stopping).ConfigureAwait(false);
        logger.Ending(ending.ToString());
        int code;
        if (ending == Ending.PresenterLost)
        {
            // Nobody is listening: stop the jobs and clean up without a word (PROTOCOL.md §1).
            outbox.PresenterConnected = false;
            await jobs.CancelAllAsync().ConfigureAwait(false);
            code = ExitStatus.PresenterLost;
        }
        else
        {
            await jobs.CancelAllAsync().ConfigureAwait(false);
            await outbox.PostAndFlushAsync(new StatusEvent(CoreStatus.Dying)).ConfigureAwait(false);
            code = ExitStatus.Stopped;
        }

        await sending.CancelAsync().ConfigureAwait(false);
        await sender.ConfigureAwait(false);
        return code;
    }

    // The first status is prepared while the connection comes up.
    private async Task<StatusEvent> ReportStartedAsync(CancellationToken stopping)
    {
        await codecs.ProbeAsync(stopping).ConfigureAwait(false);
        return await status.ReportAsync(CoreStatus.Started).ConfigureAwait(false);
    }

    private async Task<Ending> ListenAsync(ITransport transport, Task<StatusEvent> started, Task presenterStopsReading, CancellationToken stopping)
    {
        var events = transport.Events;
        var everConnected = false;
        DateTimeOffset? deadline = time.GetUtcNow() + options.ConnectTimeout;
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            if (deadline is { } due)
            {
                wait.CancelAfter(Max(due - time.GetUtcNow(), TimeSpan.Zero));
            }

            var readable = events.WaitToReadAsync(wait.Token).AsTask();
            if (await Task.WhenAny(readable, presenterStopsReading).ConfigureAwait(false) == presenterStopsReading)
            {
                return Ending.PresenterLost;
            }

            try
            {
                if (!await readable.ConfigureAwait(false))
                {
                    return Ending.PresenterLost;
                }
            }
            catch (OperationCanceledException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return Ending.Stopped;
                }

                logger.PresenterGone(options.Address, everConnected);
                return Ending.PresenterLost;
            }

            while (events.TryRead(out var happened))
            {
                switch (happened)
                {
                    case TransportEvent.PeerConnected:
                        outbox.PresenterConnected = true;
                        deadline = null;
                        if (!everConnected)
                        {
                            everConnected = true;
                            outbox.Post(await started.ConfigureAwait(false));
                        }

                        break;
                    case TransportEvent.PeerDisconnected:
                        outbox.PresenterConnected = false;
                        deadline = time.GetUtcNow() + options.PresenterGrace;
                        break;
                    case TransportEvent.MessageReceived message:
                        if (await router.HandleAsync(message.Payload).ConfigureAwait(false))
                        {
                            return Ending.Killed;
                        }

                        break;
                }
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void LogPlugins()
    {
        logger.PluginsLoaded(plugins.Directory, string.Join(", ", plugins.Loaded));
        foreach (var (folder, error) in plugins.Failed)
        {
            logger.PluginFailed(folder, error.Message);
        }
    }
}
