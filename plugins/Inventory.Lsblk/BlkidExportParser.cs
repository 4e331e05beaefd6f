using System.Text;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// Reads <c>blkid -o export</c>: per device a <c>DEVNAME=…</c> line, then <c>KEY=value</c> lines;
/// devices are separated by a blank line and a device where blkid found nothing is simply absent.
/// </summary>
internal static class BlkidExportParser
{
    /// <summary>Parses the output into signatures keyed by DEVNAME; devices with neither a TYPE nor a PTTYPE are left out.</summary>
    /// <param name="valuesEscaped">
    /// False for <c>blkid -d</c>, which prints values raw. Without <c>-d</c> blkid puts a backslash
    /// before <c> \"'$`&lt;&gt;</c> and writes non-ASCII bytes as <c>M-</c> sequences, which cannot be
    /// undone reliably (that is why the probe passes <c>-d</c>); this undoes the backslashes only.
    /// DEVNAME is never escaped.
    /// </param>
    public static IReadOnlyDictionary<string, FilesystemSignature> Parse(string output, bool valuesEscaped = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = new Dictionary<string, FilesystemSignature>(StringComparer.Ordinal);
        string? device = null;
        Dictionary<string, string> values = [];
        string? lastKey = null;
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsKey(line.AsSpan(0, equals)))
            {
                var key = line[..equals];
                var value = line[(equals + 1)..];
                if (key == "DEVNAME")
                {
                    Add(result, device, values);
                    (device, values, lastKey) = (value, [], null);
                    continue;
                }

                values[key] = valuesEscaped ? Unescape(value) : value;
                lastKey = key;
            }
            else if (line.Length > 0 && lastKey is not null)
            {
                // With -d a label holding a newline arrives raw, over two lines.
                values[lastKey] += "\n" + (valuesEscaped ? Unescape(line) : line);
            }
        }

        Add(result, device, values);
        return result;
    }

    private static void Add(Dictionary<string, FilesystemSignature> result, string? device, Dictionary<string, string> values)
    {
        var type = NullIfEmpty(values, "TYPE");
        var table = NullIfEmpty(values, "PTTYPE");
        if (device is not null && (type is not null || table is not null))
        {
            result[device] = new FilesystemSignature(type, NullIfEmpty(values, "LABEL"), NullIfEmpty(values, "UUID"), table);
        }
    }

    private static string? NullIfEmpty(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    private static bool IsKey(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }
}
