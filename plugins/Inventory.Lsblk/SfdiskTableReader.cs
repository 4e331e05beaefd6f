using System.Globalization;
using System.Text.Json;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Inventory.Lsblk;

/// <summary>Reads partition tables from devices, for disks whose partitions the kernel shows no nodes for.</summary>
internal interface IPartitionTableReader
{
    /// <summary>The device's table; null when it has none sfdisk reads, or sfdisk failed (logged, never thrown).</summary>
    Task<PartitionTable?> ReadAsync(string devicePath, CancellationToken cancellationToken = default);
}

/// <summary><c>sfdisk --json DEVICE</c>: the table as sfdisk reads it from the device.</summary>
internal sealed class SfdiskTableReader(string program, TimeSpan timeout, ILogger logger) : IPartitionTableReader
{
    /// <summary>sfdisk answers from the first sectors; a hung disk should not hold up a status longer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public SfdiskTableReader(ILogger logger)
        : this(ProgramLocator.Find("sfdisk") ?? "sfdisk", DefaultTimeout, logger)
    {
    }

    public async Task<PartitionTable?> ReadAsync(string devicePath, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        ProgramOutput result;
        try
        {
            result = await ShortProgram.RunAsync(new CommandLine(program, ["--json", "--", devicePath]), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.TableNotRead(logger, devicePath, $"{program} did not finish within {timeout.TotalSeconds:0} s");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.TableNotRead(logger, devicePath, e.Message);
            return null;
        }

        if (result.ExitCode != 0)
        {
            Log.TableNotRead(logger, devicePath, result.StandardError.Trim());
            return null;
        }

        try
        {
            return Parse(result.StandardOutput);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException or OverflowException)
        {
            Log.TableNotRead(logger, devicePath, e.Message);
            return null;
        }
    }

    /// <summary>Reads sfdisk's JSON: sizes and starts in sectors of the table's own sector size.</summary>
    public static PartitionTable Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var table = document.RootElement.GetProperty("partitiontable");
        var label = table.GetProperty("label").GetString() ?? throw new InvalidDataException("sfdisk gave the table no label");
        var sectorSize = table.TryGetProperty("sectorsize", out var size) ? size.GetInt64() : 512;
        var entries = new List<TableEntry>();
        if (table.TryGetProperty("partitions", out var partitions))
        {
            foreach (var partition in partitions.EnumerateArray())
            {
                var node = partition.GetProperty("node").GetString() ?? "";
                var digits = node.Length - node.AsSpan().TrimEnd("0123456789").Length;
                var number = digits == 0 ? entries.Count + 1 : int.Parse(node.AsSpan(node.Length - digits), CultureInfo.InvariantCulture);
                entries.Add(new TableEntry(
                    number,
                    partition.GetProperty("start").GetInt64() * sectorSize,
                    partition.GetProperty("size").GetInt64() * sectorSize,
                    partition.TryGetProperty("type", out var type) ? type.GetString() : null));
            }
        }

        return new PartitionTable(label, entries);
    }
}
