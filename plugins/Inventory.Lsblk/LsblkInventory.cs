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

    /// <summary>Creates the inventory the host uses: lsblk from <c>APART_LSBLK_CMD</c> or PATH, blkid from PATH or sbin.</summary>
    public LsblkInventory(ILogger<LsblkInventory> logger)
        : this(LsblkProgram(), new BlkidProbe(logger), logger)
    {
    }

    internal LsblkInventory(string lsblkProgram, IFilesystemProbe probe, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(lsblkProgram);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(logger);
        _lsblk = new LsblkCommand(lsblkProgram, LsblkCommand.DefaultTimeout, logger);
        _probe = probe;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">lsblk could not be run or exited with an error.</exception>
    /// <exception cref="InvalidDataException">lsblk's output is not the JSON it should print.</exception>
    /// <exception cref="TimeoutException">lsblk did not answer.</exception>
    public async Task<IReadOnlyList<SourceDevice>> ListSourcesAsync(CancellationToken cancellationToken = default)
    {
        var json = await _lsblk.ReadAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<LsblkDevice> devices;
        try
        {
            devices = LsblkJsonParser.Parse(json);
        }
        catch (InvalidDataException e)
        {
            // Name the program: with APART_LSBLK_CMD set it may not be lsblk at all.
            throw new InvalidDataException($"{_lsblk.Program}: {e.Message}", e);
        }

        var candidates = SourceListBuilder.ProbeCandidates(devices);
        var probed = candidates.Count == 0
            ? null
            : await _probe.ProbeAsync(candidates, cancellationToken).ConfigureAwait(false);
        return SourceListBuilder.Build(devices, probed);
    }

    private static string LsblkProgram() =>
        Environment.GetEnvironmentVariable(LsblkCommandVariable) is { Length: > 0 } program
            ? program
            : ProgramLocator.Find("lsblk") ?? "lsblk";
}
