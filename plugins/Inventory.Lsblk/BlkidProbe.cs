using Apart.Abstractions;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// Probes devices with one blkid process for all of them. Failures only lose the probe's findings:
/// they are logged, never thrown, because lsblk's list is still worth sending.
/// </summary>
/// <remarks>
/// Not <c>blkid -p</c>: in low-level mode blkid (util-linux 2.38) stops at the first device where it
/// finds nothing (an empty partition, an unreadable device), silently leaving out every device after
/// it. The cache mode with <c>-c /dev/null</c> reads each device afresh just the same, goes through
/// all of them, leaves out those with nothing, and exits 0 when it found anything, 2 when nothing.
/// <c>-d</c> prints values raw, so labels keep their non-ASCII characters.
/// </remarks>
/// <param name="isBlockDevice">Which paths to give blkid; by default existing block devices (tests widen it).</param>
internal sealed class BlkidProbe(string program, TimeSpan timeout, ILogger logger, Func<string, bool>? isBlockDevice = null)
    : IFilesystemProbe
{
    /// <summary>Long enough for a few disks to spin up; a status should not wait longer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private const int NothingFound = 2;

    private static readonly IReadOnlyDictionary<string, FilesystemSignature> Nothing =
        new Dictionary<string, FilesystemSignature>();

    private readonly Func<string, bool> _isBlockDevice = isBlockDevice ?? BlockDeviceNode.IsBlockDevice;

    public BlkidProbe(ILogger logger)
        : this(ProgramLocator.Find("blkid") ?? "blkid", DefaultTimeout, logger)
    {
    }

    public async Task<IReadOnlyDictionary<string, FilesystemSignature>> ProbeAsync(
        IReadOnlyCollection<string> devicePaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(devicePaths);
        var nodes = devicePaths.Distinct(StringComparer.Ordinal).Where(_isBlockDevice).ToList();
        if (nodes.Count == 0)
        {
            return Nothing;
        }

        Log.Probing(logger, program, nodes.Count, string.Join(' ', nodes));
        var output = await RunAsync(["-c", "/dev/null", "-d", "-o", "export", "--", .. nodes], cancellationToken).ConfigureAwait(false);
        return output is null ? Nothing : ByRequestedPath(BlkidExportParser.Parse(output), nodes);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Low-level mode (<c>-p</c>) with an offset and a size: the range is probed as if it were a
    /// device of its own, as the kernel would show the partition.
    /// </remarks>
    public async Task<FilesystemSignature?> ProbeRangeAsync(string devicePath, long offset, long size, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(devicePath);
        if (!_isBlockDevice(devicePath))
        {
            return null;
        }

        string[] arguments = ["-p", "-O", offset.ToString(CultureInfo.InvariantCulture), "-S", size.ToString(CultureInfo.InvariantCulture), "-o", "export", "--", devicePath];
        var output = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        return output is null ? null : BlkidExportParser.Parse(output).Values.FirstOrDefault();
    }

    // blkid's standard output; null when it could not be run or did not finish (logged).
    private async Task<string?> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        ProgramOutput result;
        try
        {
            result = await ShortProgram.RunAsync(new CommandLine(program, arguments), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ProbeTimedOut(logger, program, timeout);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ProbeNotRun(logger, program, e);
            return null;
        }

        if (result.ExitCode is not (0 or NothingFound))
        {
            Log.ProbeFailed(logger, program, result.ExitCode, result.StandardError.Trim());
        }

        return result.StandardOutput;
    }

    /// <summary>
    /// blkid names each device as it was asked for, except that of two paths reaching the same node
    /// it names both after the first; match those through their link targets.
    /// </summary>
    private static Dictionary<string, FilesystemSignature> ByRequestedPath(
        IReadOnlyDictionary<string, FilesystemSignature> found, List<string> nodes)
    {
        var byPath = new Dictionary<string, FilesystemSignature>(StringComparer.Ordinal);
        Dictionary<string, FilesystemSignature>? byTarget = null;
        foreach (var node in nodes)
        {
            if (found.TryGetValue(node, out var signature))
            {
                byPath[node] = signature;
                continue;
            }

            byTarget ??= found.GroupBy(pair => LinkTarget(pair.Key), StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.First().Value, StringComparer.Ordinal);
            if (byTarget.TryGetValue(LinkTarget(node), out signature))
            {
                byPath[node] = signature;
            }
        }

        return byPath;
    }

    private static string LinkTarget(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return path;
        }
        catch (UnauthorizedAccessException)
        {
            return path;
        }
    }
}
