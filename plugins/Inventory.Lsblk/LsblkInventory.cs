using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// The machine's cloneable devices as lsblk lists them (docs/PROTOCOL.md §3), with filesystems that lsblk
/// cannot see without udev filled in by blkid. Each read runs at most one lsblk and one blkid.
/// </summary>
/// <remarks>
/// lsblk is the program named by the <c>APART_LSBLK_CMD</c> environment variable when it is set
/// (read once, at construction), else <c>lsblk</c>. A stand-in's devices are listed as it describes
/// them even where they do not exist on this machine; only existing block devices are probed.
/// </remarks>
public sealed class LsblkInventory : IDeviceInventory
{
    /// <summary>The environment variable naming the lsblk program.</summary>
    public const string LsblkCommandVariable = "APART_LSBLK_CMD";

    private readonly LsblkCommand _lsblk;
    private readonly IFilesystemProbe _probe;
    private readonly IPartitionTableReader _tables;
    private readonly ILoopBackings _loops;

    /// <summary>Creates the inventory the host uses: lsblk from <c>APART_LSBLK_CMD</c> or PATH, blkid and sfdisk from PATH or sbin.</summary>
    public LsblkInventory(ILogger<LsblkInventory> logger)
        : this(LsblkProgram(), new BlkidProbe(logger), logger, new SfdiskTableReader(logger), new SysfsLoopBackings())
    {
    }

    internal LsblkInventory(string lsblkProgram, IFilesystemProbe probe, ILogger logger, IPartitionTableReader? tables = null, ILoopBackings? loops = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(lsblkProgram);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(logger);
        _lsblk = new LsblkCommand(lsblkProgram, LsblkCommand.DefaultTimeout, logger);
        _probe = probe;
        _tables = tables ?? new NoTables();
        _loops = loops ?? new NoLoops();
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">lsblk could not be run or exited with an error.</exception>
    /// <exception cref="InvalidDataException">lsblk's output is not the JSON it should print.</exception>
    /// <exception cref="TimeoutException">lsblk did not answer.</exception>
    public async Task<IReadOnlyList<SourceDevice>> ListSourcesAsync(CancellationToken cancellationToken = default)
    {
        var devices = await ReadTreeAsync(cancellationToken).ConfigureAwait(false);
        return await BuildAsync(devices, devices, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// lsblk lists every device, as for <see cref="ListSourcesAsync"/>; blkid and sfdisk read only
    /// the whole devices that may hold <paramref name="devicePath"/> (<see cref="SourceListBuilder.RootsThatMayHold"/>)
    /// and what is on them. A job's check costs one device's probing, not the machine's, and
    /// leaves the other disks alone.
    /// </remarks>
    /// <exception cref="InvalidOperationException">lsblk could not be run or exited with an error.</exception>
    /// <exception cref="InvalidDataException">lsblk's output is not the JSON it should print.</exception>
    /// <exception cref="TimeoutException">lsblk did not answer.</exception>
    public async Task<SourceDevice?> ListSourceAsync(string devicePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(devicePath);
        var devices = await ReadTreeAsync(cancellationToken).ConfigureAwait(false);
        var sources = await BuildAsync(devices, SourceListBuilder.RootsThatMayHold(devices, devicePath), cancellationToken).ConfigureAwait(false);
        return IDeviceInventory.Holding(sources, devicePath);
    }

    private async Task<IReadOnlyList<LsblkDevice>> ReadTreeAsync(CancellationToken cancellationToken)
    {
        var json = await _lsblk.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return LsblkJsonParser.Parse(json);
        }
        catch (InvalidDataException e)
        {
            // Name the program: with APART_LSBLK_CMD set it may not be lsblk at all.
            throw new InvalidDataException($"{_lsblk.Program}: {e.Message}", e);
        }
    }

    // The sources of lsblk's tree, with blkid's and sfdisk's findings for the devices on the
    // probed roots (all of them, or those a job's device may be on).
    private async Task<IReadOnlyList<SourceDevice>> BuildAsync(IReadOnlyList<LsblkDevice> devices, IReadOnlyList<LsblkDevice> probedRoots, CancellationToken cancellationToken)
    {
        var candidates = SourceListBuilder.ProbeCandidates(probedRoots);
        IReadOnlyDictionary<string, FilesystemSignature> probed = candidates.Count == 0
            ? new Dictionary<string, FilesystemSignature>()
            : await _probe.ProbeAsync(candidates, cancellationToken).ConfigureAwait(false);
        var tables = await ReadUnnodedTablesAsync(SourceListBuilder.UnnodedTableCandidates(probedRoots, probed), cancellationToken).ConfigureAwait(false);
        return SourceListBuilder.Build(devices, probed, tables, _loops.Read());
    }

    // Disks whose partitions have no kernel nodes: their tables, read from the devices, and what
    // is in each partition, all devices and partitions at once.
    private async Task<IReadOnlyDictionary<string, ListedTable>> ReadUnnodedTablesAsync(IReadOnlyList<string> devices, CancellationToken cancellationToken)
    {
        var listed = await Task.WhenAll(devices.Select(async path =>
        {
            var table = await _tables.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (table is null)
            {
                return ((string Name, ListedTable Listed)?)null;
            }

            var found = await Task.WhenAll(table.Partitions.Where(entry => !entry.IsContainer).Select(async entry =>
                (entry.Number, Signature: await _probe.ProbeRangeAsync(path, entry.Start, entry.Size, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
            return (Name: path["/dev/".Length..], Listed: new ListedTable(table, found.Where(f => f.Signature is not null).ToDictionary(f => f.Number, f => f.Signature!)));
        })).ConfigureAwait(false);
        return listed.OfType<(string Name, ListedTable Listed)>().ToDictionary(entry => entry.Name, entry => entry.Listed, StringComparer.Ordinal);
    }

    private sealed class NoTables : IPartitionTableReader
    {
        public Task<PartitionTable?> ReadAsync(string devicePath, CancellationToken cancellationToken = default) => Task.FromResult<PartitionTable?>(null);
    }

    private sealed class NoLoops : ILoopBackings
    {
        public IReadOnlyDictionary<string, LoopBacking> Read() => new Dictionary<string, LoopBacking>();
    }

    private static string LsblkProgram() =>
        Environment.GetEnvironmentVariable(LsblkCommandVariable) is { Length: > 0 } program
            ? program
            : ProgramLocator.Find("lsblk") ?? "lsblk";
}
