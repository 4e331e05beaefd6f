using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Host.Codecs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>Builds <c>type: status</c> messages from a fresh inventory (PROTOCOL.md §3).</summary>
internal sealed class StatusReporter(IServiceProvider plugins, CodecCatalog codecs, Outbox outbox, ILogger<StatusReporter> logger)
{
    /// <summary>
    /// A started or running status; blank devices are left out (nothing to clone, PROTOCOL.md §3). Should the inventory fail, the status still goes out (with no
    /// sources) after an <c>error</c> message saying why.
    /// </summary>
    public async Task<StatusEvent> ReportAsync(CoreStatus status, string? request = null) =>
        Report(status, await ListAsync(request).ConfigureAwait(false));

    /// <summary>A status message from sources already listed.</summary>
    public StatusEvent Report(CoreStatus status, IReadOnlyList<SourceDevice> sources)
    {
        var listed = sources
            .Select(source => source with { Parts = source.Parts.Where(part => !part.Unformatted).ToList() })
            .Where(source => source.Parts.Count > 0)
            .ToList();
        return new StatusEvent(status, listed, codecs.Options, status == CoreStatus.Running ? outbox.RunningJobs : null);
    }

    /// <summary>The inventory read afresh; on failure, none (after an error message saying why).</summary>
    public async Task<IReadOnlyList<SourceDevice>> ListAsync(string? request = null)
    {
        var inventory = plugins.GetService<IDeviceInventory>();
        if (inventory is null)
        {
            return [];
        }

        try
        {
            return await inventory.ListSourcesAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.InventoryFailed(e);
            outbox.Post(new RequestError($"Cannot list the machine's devices: {e.Message}", request));
            return [];
        }
    }
}
