using Apart.Host.Codecs;
using Apart.Protocol;

namespace Apart.Host.Core;

/// <summary>
/// What a core learns once, as it starts, while its transport comes up: which codecs work here
/// (every probe runs once, in parallel) and, for the first <c>status: started</c>, the devices.
/// </summary>
internal sealed class Startup(CodecCatalog codecs, StatusReporter status)
{
    private Task<StatusEvent>? _started;

    /// <summary>
    /// Starts the probes, the protocol reader's set-up and, when a first status will be sent,
    /// the first listing, side by side.
    /// </summary>
    public void Begin(bool listDevices, CancellationToken stopping)
    {
        _ = Task.Run(() => codecs.ProbeAsync(stopping), stopping);
        _ = Task.Run(ProtocolCodec.PrepareReader, stopping);
        if (listDevices)
        {
            var listing = Task.Run(() => status.ListAsync(null, stopping), stopping);
            _started = Task.Run(async () =>
            {
                await codecs.ProbedAsync(stopping).ConfigureAwait(false);
                return status.Report(CoreStatus.Started, await listing.ConfigureAwait(false));
            }, stopping);
        }
    }

    /// <summary>Completes once every codec probe has answered.</summary>
    public Task ProbedAsync(CancellationToken cancellationToken) => codecs.ProbedAsync(cancellationToken);

    /// <summary>The <c>status: started</c> message, once probed and listed.</summary>
    public Task<StatusEvent> StartedAsync(CancellationToken cancellationToken) =>
        (_started ?? throw new InvalidOperationException("This core sends no status: started.")).WaitAsync(cancellationToken);
}
