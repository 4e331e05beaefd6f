using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Jobs;

/// <summary>What jobs need from the host, in one place.</summary>
internal sealed class JobServices(
    Outbox outbox,
    CodecCatalog codecs,
    InProgressJournal journal,
    IServiceProvider plugins,
    TimeProvider time,
    ILogger<Job> logger)
{
    public Outbox Outbox { get; } = outbox;

    public CodecCatalog Codecs { get; } = codecs;

    public InProgressJournal Journal { get; } = journal;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>The imaging plugin; a job fails clearly when its folder was removed.</summary>
    public IImager Imager =>
        plugins.GetService<IImager>() ?? throw new JobFailedException("No imaging plugin is installed (plugins/Imaging.Partclone).");

    /// <summary>
    /// The listed part (or blank whole device) with this device path, read afresh (its mounted state may have changed).
    /// Only listed parts may be touched: that is what keeps a presenter from pointing the core
    /// at <c>/etc/shadow</c> or <c>/dev/mem</c>.
    /// </summary>
    public async Task<PartDevice> ListedPartAsync(string devicePath, string role)
    {
        var inventory = plugins.GetService<IDeviceInventory>()
            ?? throw new JobFailedException("No device inventory plugin is installed (plugins/Inventory.Lsblk).");
        IReadOnlyList<SourceDevice> sources;
        try
        {
            sources = await inventory.ListSourcesAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new JobFailedException($"Cannot list the machine's devices: {e.Message}");
        }

        return sources.SelectMany(source => source.Parts).FirstOrDefault(part => part.DevicePath == devicePath)
            ?? throw new JobFailedException($"{role} {Quote(devicePath)} is not a listed partition.");
    }

    /// <summary>A value from a request, bounded for quoting in a message.</summary>
    public static string Quote(string value) => Protocol.RequestDecoder.Printable(value);
}
