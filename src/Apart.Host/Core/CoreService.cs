using Apart.Abstractions;
using Apart.Host.Jobs;
using Apart.Host.Mounting;
using Apart.Plugins;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>
/// The core's work from start to end: it says which plugins loaded, finds the transport for its
/// address and lets the session of its mode (connect or service) serve until it ends or is
/// stopped, leaving the exit status in <see cref="ExitStatus"/>.
/// </summary>
internal sealed class CoreService(
    CoreOptions options,
    IEnumerable<ITransportFactory> transports,
    PluginLoadReport plugins,
    Startup startup,
    Session session,
    InProgressJournal journal,
    MountJournal mountJournal,
    IImageMounts mounts,
    ExitStatus exit,
    ILogger<CoreService> logger)
{
    /// <summary>Serves until the session ends or <paramref name="stoppingToken"/> asks it to stop (SIGTERM, SIGINT).</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
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
        }
    }

    private async Task<int> ServeAsync(CancellationToken stopping)
    {
        // Everything up to the bind runs inside the host's start: a service is ready (and says
        // so to systemd) only once its socket exists. The probes and the first device listing
        // run meanwhile, on other threads: status: started waits for the slowest of the three.
        startup.Begin(listDevices: options.Service is null, stopping);
        LogPlugins();
        var factory = transports.FirstOrDefault(candidate => candidate.Supports(options.Address));
        if (factory is null)
        {
            logger.NoTransport(options.Address, string.Join(", ", plugins.Loaded));
            return ExitStatus.Usage;
        }

        ITransport transport;
        try
        {
            transport = session.Open(factory, options.Address);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.CannotUseAddress(options.Address, e.Message);
            return ExitStatus.Failed;
        }

        // Mounts first: a dead core's loop devices are free to detach once their filesystems are unmounted.
        mountJournal.RemoveStale();
        journal.RemoveStale();
        await using (transport.ConfigureAwait(false))
        {
            try
            {
                return await session.RunAsync(transport, stopping).ConfigureAwait(false);
            }
            finally
            {
                // Whatever ended the session, a core leaves nothing mounted behind.
                await mounts.UnmountAllAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void LogPlugins()
    {
        logger.PluginsLoaded(plugins.Directory, string.Join(", ", plugins.Loaded));
        foreach (var (folder, error) in plugins.Failed)
        {
            logger.PluginFailed(folder, error.Message);
        }
    }
}
