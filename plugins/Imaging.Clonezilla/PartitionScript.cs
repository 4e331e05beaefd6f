using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Apart.Imaging.Clonezilla;

/// <summary>
/// A disk's table as <c>sfdisk --dump</c> writes it (the image's <c>SDX-pt.sf</c>): headers
/// (<c>label: gpt</c>) and one line per partition (<c>/dev/sda1 : start=2048, size=…, type=…</c>).
/// Read to know the partitions, and written back to sfdisk to make them again.
/// </summary>
internal sealed partial class PartitionScript
{
    private readonly List<string> _lines;

    private PartitionScript(List<string> lines, Dictionary<string, string> headers, List<ScriptPartition> partitions)
    {
        _lines = lines;
        Headers = headers;
        Partitions = partitions;
    }

    /// <summary>The header fields (<c>label</c>, <c>label-id</c>, <c>sector-size</c>…).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The partitions, in the order listed.</summary>
    public IReadOnlyList<ScriptPartition> Partitions { get; }

    /// <summary><c>gpt</c> or <c>dos</c>.</summary>
    public string Label => Headers.GetValueOrDefault("label") ?? throw new InvalidDataException("the partition table has no 'label:' line");

    /// <summary>Bytes per sector of the table (512 unless it says).</summary>
    public long SectorSize => Headers.TryGetValue("sector-size", out var size) ? long.Parse(size, CultureInfo.InvariantCulture) : 512;

    public static PartitionScript Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var partitions = new List<ScriptPartition>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var separator = line.IndexOf(" : ", StringComparison.Ordinal);
            if (line.StartsWith('/') && separator > 0)
            {
                partitions.Add(ScriptPartition.Parse(i, line[..separator].Trim(), line[(separator + 3)..]));
            }
            else if (Header().Match(line) is { Success: true } header)
            {
                headers[header.Groups["key"].Value] = header.Groups["value"].Value.Trim();
            }
        }

        return new PartitionScript(lines, headers, partitions);
    }

    /// <summary>
    /// The script to make the table again on another disk: GPT without <c>last-lba</c> (sfdisk puts
    /// the backup header at the end of the disk it writes, however large); with
    /// <paramref name="grow"/>, without the size of the partition that ends last and of the
    /// extended partition holding it, so that sfdisk gives them the rest of the disk.
    /// </summary>
    public string ForDisk(ScriptPartition? grow)
    {
        var text = new StringBuilder();
        var growing = grow is null ? [] : Partitions.Where(p => p == grow || (p.IsContainer && p.Start <= grow.Start && grow.Start < p.Start + p.Size)).Select(p => p.Line).ToHashSet();
        for (var i = 0; i < _lines.Count; i++)
        {
            var line = _lines[i];
            if (line.StartsWith("last-lba:", StringComparison.Ordinal))
            {
                continue;
            }

            text.Append(growing.Contains(i) ? SizeField().Replace(line, "") : line).Append('\n');
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    [GeneratedRegex(@"^(?<key>[a-z-]+):\s*(?<value>.*)$")]
    private static partial Regex Header();

    [GeneratedRegex(@"size=\s*\d+,\s*")]
    private static partial Regex SizeField();
}

/// <summary>One partition line of an sfdisk script.</summary>
/// <param name="Line">Its line in the script.</param>
/// <param name="Device">Its device as the script names it: <c>/dev/sda1</c>.</param>
/// <param name="Number">Its number, from the name's end.</param>
/// <param name="Start">Its first sector.</param>
/// <param name="Size">Its length in sectors.</param>
/// <param name="Type">sfdisk's type: a GUID (GPT) or hexadecimal code (dos).</param>
internal sealed record ScriptPartition(int Line, string Device, int Number, long Start, long Size, string? Type)
{
    private const string GptSwap = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F";

    // dos extended partitions (CHS, LBA, Linux).
    private static readonly HashSet<string> ContainerTypes = new(StringComparer.OrdinalIgnoreCase) { "5", "f", "85" };

    /// <summary>Its kernel name: the device without <c>/dev/</c>.</summary>
    public string Name => Device.StartsWith("/dev/", StringComparison.Ordinal) ? Device["/dev/".Length..] : Device;

    /// <summary>A dos extended partition, holding logical ones.</summary>
    public bool IsContainer => Type is not null && ContainerTypes.Contains(Type);

    /// <summary>Typed as swap (GPT's Linux swap GUID, dos 82).</summary>
    public bool IsSwapType => Type is not null && (Type.Equals(GptSwap, StringComparison.OrdinalIgnoreCase) || Type == "82");

    public static ScriptPartition Parse(int line, string device, string fields)
    {
        long? start = null;
        long? size = null;
        string? type = null;
        foreach (var field in Fields(fields))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue; // "bootable"
            }

            var value = field[(equals + 1)..].Trim().Trim('"');
            switch (field[..equals].Trim())
            {
                case "start":
                    start = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "size":
                    size = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "type" or "Id":
                    type = value;
                    break;
            }
        }

        var digits = device.Length - device.AsSpan().TrimEnd("0123456789").Length;
        return new ScriptPartition(
            line,
            device,
            digits == 0 ? 0 : int.Parse(device.AsSpan(device.Length - digits), CultureInfo.InvariantCulture),
            start ?? throw new InvalidDataException($"the partition table gives {device} no start"),
            size ?? 0,
            type);
    }

    // Comma-separated, but a quoted name may hold commas.
    private static IEnumerable<string> Fields(string text)
    {
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ',' && !quoted)
            {
                yield return current.ToString();
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }
}
