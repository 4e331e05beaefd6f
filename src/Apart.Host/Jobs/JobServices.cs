using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Core;
using Apart.Host.Native;
using Apart.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Jobs;

/// <summary>What jobs need from the host, in one place.</summary>
internal sealed class JobServices(
    Outbox outbox,
    CodecCatalog codecs,
    InProgressJournal journal,
    LoopMapper loops,
    IServiceProvider plugins,
    TimeProvider time,
    ILogger<Job> logger)
{
    public LoopMapper Loops { get; } = loops;

    public Outbox Outbox { get; } = outbox;

    public CodecCatalog Codecs { get; } = codecs;

    public InProgressJournal Journal { get; } = journal;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>The imaging plugin; a job fails clearly when none is installed.</summary>
    public IImager Imager =>
        plugins.GetService<IImager>() ?? throw new JobFailedException("No imaging plugin is installed: this core cannot read or write images.");

    /// <summary>The disk imaging plugin; a disk job fails clearly when none is installed.</summary>
    public IDiskImager DiskImager =>
        plugins.GetService<IDiskImager>() ?? throw new JobFailedException("No disk imaging plugin is installed: this core cannot save or restore whole disks.");

    /// <summary>The disk imaging plugin, when one is installed.</summary>
    public IDiskImager? DiskImagerIfAny => plugins.GetService<IDiskImager>();

    /// <summary>
    /// The listed part (or blank whole device) with this device path, and the device it is on,
    /// read afresh (its mounted state may have changed). Only listed parts may be touched: that
    /// is what keeps a presenter from pointing the core at <c>/etc/shadow</c> or <c>/dev/mem</c>.
    /// </summary>
    /// <param name="devicePath">The path the request names.</param>
    /// <param name="role">What the request calls it, for the refusal: <c>Source</c>, <c>Destination</c>.</param>
    /// <param name="cancellationToken">Stops the listing (the core is ending).</param>
    public async Task<(SourceDevice Disk, PartDevice Part)> ListedPartAsync(string devicePath, string role, CancellationToken cancellationToken)
    {
        var source = await ListedSourceAsync(devicePath, cancellationToken).ConfigureAwait(false);
        return source?.Parts.FirstOrDefault(part => part.DevicePath == devicePath) is { } part
            ? (source, part)
            : throw new JobFailedException($"{role} {Quote(devicePath)} is not a listed partition.");
    }

    /// <summary>The listed whole device with this device path, read afresh: what a disk job may touch.</summary>
    public async Task<SourceDevice> ListedDiskAsync(string devicePath, string role, CancellationToken cancellationToken)
    {
        var source = await ListedSourceAsync(devicePath, cancellationToken).ConfigureAwait(false);
        return source switch
        {
            { } disk when disk.DevicePath == devicePath => disk,
            { } disk when disk.Parts.Any(part => part.DevicePath == devicePath) =>
                throw new JobFailedException($"{role} {Quote(devicePath)} is a partition: a disk job takes a whole disk (its device, such as /dev/sdb)."),
            _ => throw new JobFailedException($"{role} {Quote(devicePath)} is not a listed disk."),
        };
    }

    // The listed source holding the device, read afresh; null when none does, or when it is one of
    // the core's own loop devices (partitions it maps, images it mounts), never a job's to touch.
    private async Task<SourceDevice?> ListedSourceAsync(string devicePath, CancellationToken cancellationToken)
    {
        var inventory = plugins.GetService<IDeviceInventory>()
            ?? throw new JobFailedException("No device inventory plugin is installed: this core lists no devices, so it touches none.");
        SourceDevice? source;
        try
        {
            source = await inventory.ListSourceAsync(devicePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new JobFailedException($"Cannot list the machine's devices: {e.Message}");
        }

        return source is not null && !Loops.Names.Contains(source.Name) ? source : null;
    }

    /// <summary>A value from a request, bounded for quoting in a message.</summary>
    public static string Quote(string value) => Printable.Bounded(value);
}
