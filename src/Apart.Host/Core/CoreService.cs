using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Host.Codecs;
using Apart.Host.Jobs;
using Apart.Host.Plugins;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>
/// The core's life: reach the presenter (connect mode) or bind for presenters to come (service
/// mode), serve their requests, and end in one of the ways PROTOCOL.md §1 and §8 describe.
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
    ISystemdNotifier systemd,
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

    private bool Listening => options.Service is not null;

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
        // Everything up to the bind runs inside the host's start: a service is ready (and says
        // so to systemd) only once its socket exists. The probes and the first device listing
        // run meanwhile, on other threads: status: started waits for the slowest of the three.
        var started = Task.Run(() => ReportStartedAsync(stopping), stopping);
        LogPlugins();
        var factory = transports.FirstOrDefault(candidate => candidate.Supports(options.Address));
        if (factory is null)
        {
            logger.NoTransport(options.Address);
            return ExitStatus.Usage;
        }

        ITransport transport;
        try
        {
            transport = Listening ? factory.Listen(options.Address, PresenterAccess.ListenOptionsFor(options.Service!, logger)) : factory.Connect(options.Address);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.CannotUseAddress(options.Address, e.Message);
            return ExitStatus.Failed;
        }

        if (Listening)
        {
            logger.Listening(options.Address);
            systemd.Notify(ServiceState.Ready);
        }

        journal.RemoveStale();
        await using (transport.ConfigureAwait(false))
        {
            using var sending = new CancellationTokenSource();
            var sender = outbox.RunAsync(transport, sending.Token);
            var ending = await ListenAsync(transport, started, stopping).ConfigureAwait(false);
            logger.Ending(ending.ToString());
            systemd.Notify(ServiceState.Stopping);
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
    }

    // The first status is prepared while the connection comes up: the codec probes and the
    // device listing run side by side.
    private async Task<StatusEvent> ReportStartedAsync(CancellationToken stopping)
    {
        var probing = codecs.ProbeAsync(stopping);
        if (Listening)
        {
            await probing.ConfigureAwait(false);
            return new StatusEvent(CoreStatus.Started);
        }

        var listing = status.ListAsync();
        await probing.ConfigureAwait(false);
        return status.Report(CoreStatus.Started, await listing.ConfigureAwait(false));
    }

    private async Task<Ending> ListenAsync(ITransport transport, Task<StatusEvent> started, CancellationToken stopping)
    {
        var presenterStopsReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        outbox.SendFailed += () => presenterStopsReading.TrySetResult();
        var events = transport.Events;
        var everConnected = false;
        DateTimeOffset? deadline = Listening ? null : time.GetUtcNow() + options.ConnectTimeout;
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            if (deadline is { } due)
            {
                wait.CancelAfter(Max(due - time.GetUtcNow(), TimeSpan.Zero));
            }

            var readable = events.WaitToReadAsync(wait.Token).AsTask();
            if (await Task.WhenAny(readable, presenterStopsReading.Task).ConfigureAwait(false) == presenterStopsReading.Task)
            {
                if (!Listening)
                {
                    return Ending.PresenterLost;
                }

                // A service outlives a presenter that stopped reading: the next one gets the status.
                outbox.PresenterConnected = false;
                presenterStopsReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                continue;
            }

            try
            {
                if (!await readable.ConfigureAwait(false))
                {
                    return Listening ? Ending.Stopped : Ending.PresenterLost;
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
                        if (Listening)
                        {
                            // Each presenter that connects learns what is in flight (PROTOCOL.md §3).
                            await started.ConfigureAwait(false);
                            outbox.Post(await status.ReportAsync(CoreStatus.Running).ConfigureAwait(false));
                        }
                        else if (!everConnected)
                        {
                            outbox.Post(await started.ConfigureAwait(false));
                        }

                        everConnected = true;
                        break;
                    case TransportEvent.PeerDisconnected:
                        outbox.PresenterConnected = false;
                        deadline = Listening ? null : time.GetUtcNow() + options.PresenterGrace;
                        break;
                    case TransportEvent.MessageReceived message:
                        if (await router.HandleAsync(message.Payload).ConfigureAwait(false))
                        {
                            if (!Listening)
                            {
                                return Ending.Killed;
                            }

                            // Presenters come and go; a service is stopped by its service manager.
                            outbox.Post(new RequestError(
                                "A service-mode core does not exit on kill-request: its jobs go on for other presenters. Stop the service instead.",
                                Protocol.ProtocolNames.KillRequest));
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
