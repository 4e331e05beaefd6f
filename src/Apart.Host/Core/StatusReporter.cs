using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Jobs;
using Apart.Host.Mounting;
using Apart.Host.Native;
using Apart.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>Builds <c>type: status</c> messages from a fresh inventory (docs/PROTOCOL.md §3).</summary>
internal sealed class StatusReporter(
    IServiceProvider plugins, CodecCatalog codecs, JobRegistry jobs, ImageMounter mounts, LoopMapper loops, Outbox outbox, ILogger<StatusReporter> logger)
{
    /// <summary>
    /// A started or running status. Should the inventory fail, the status still goes out (with no
    /// sources) after an <c>error</c> message saying why.
    /// </summary>
    /// <param name="status">started or running.</param>
    /// <param name="request">The request type this answers, for the error message; null when unasked.</param>
    /// <param name="cancellationToken">Stops the listing (the core is ending).</param>
    public async Task<StatusEvent> ReportAsync(CoreStatus status, string? request, CancellationToken cancellationToken) =>
        Report(status, await ListAsync(request, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// A status message from sources already listed: every source with parts to clone or to restore
    /// to (a blank device is one part without a filesystem, docs/PROTOCOL.md §3), but the loop
    /// devices the core set up itself; a running status lists the jobs in flight and the images mounted.
    /// </summary>
    public StatusEvent Report(CoreStatus status, IReadOnlyList<SourceDevice> sources)
    {
        var own = loops.Names;
        var listed = sources
            .Where(source => !own.Contains(source.Name))
            .Select(source => new ListedSource(
                source.Name,
                source.Size,
                source.Parts.Select(part => new ListedPart(part.Name, part.Size, part.Mounted, part.FsType, part.Label, part.Uuid)).ToList(),
                source.Table))
            .Where(source => source.Parts.Count > 0)
            .ToList();
        var running = status == CoreStatus.Running;
        return new StatusEvent(status, listed, codecs.Options, running ? jobs.Progress : null, running ? mounts.Listed : null);
    }

    /// <summary>The inventory read afresh; on failure, none (after an error message saying why).</summary>
    public async Task<IReadOnlyList<SourceDevice>> ListAsync(string? request, CancellationToken cancellationToken)
    {
        var inventory = plugins.GetService<IDeviceInventory>();
        if (inventory is null)
        {
            return [];
        }

        try
        {
            return await inventory.ListSourcesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.InventoryFailed(e);
            outbox.Post(new RequestError($"Cannot list the machine's devices: {e.Message}", request));
            return [];
        }
    }
}
