using System.Globalization;
using System.Text.Json;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// Reads <c>lsblk -J</c> output. Every column except a name is optional: stand-ins print only the
/// original core's columns, older lsblk lacks PATH and MOUNTPOINTS, and sizes come as numbers or
/// (lsblk before 2.33, some stand-ins) as strings. Anything that is not lsblk's shape at all is an
/// <see cref="InvalidDataException"/> saying what was wrong.
/// </summary>
internal static class LsblkJsonParser
{
    private const int ExcerptLength = 200;

    // lsblk's START counts 512-byte sectors, whatever the device's own sector size.
    private const long SectorSize = 512;

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static IReadOnlyList<LsblkDevice> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"lsblk's output is not valid JSON ({e.Message}): {Excerpt(json)}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !TryGet(root, "blockdevices", out var devices))
            {
                throw new InvalidDataException($"lsblk's output has no \"blockdevices\": {Excerpt(json)}");
            }

            return ReadList(devices, "\"blockdevices\"");
        }
    }

    private static List<LsblkDevice> ReadList(JsonElement list, string where)
    {
        if (list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"lsblk's {where} is not a list: {Excerpt(list.GetRawText())}");
        }

        return [.. list.EnumerateArray().Select(ReadDevice)];
    }

    private static LsblkDevice ReadDevice(JsonElement device)
    {
        if (device.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"lsblk listed a device that is not a JSON object: {Excerpt(device.GetRawText())}");
        }

        var path = Text(device, "path");
        var name = Text(device, "name") ?? path?[(path.LastIndexOf('/') + 1)..];
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidDataException($"lsblk listed a device without a name: {Excerpt(device.GetRawText())}");
        }

        return new LsblkDevice(
            name,
            path,
            Text(device, "type"),
            Size(device, name),
            Text(device, "fstype"),
            Text(device, "label"),
            Text(device, "uuid"),
            HasMountpoint(device),
            TryGet(device, "children", out var children) ? ReadList(children, $"children of {name}") : [])
        {
            PartitionTable = Text(device, "pttype"),
            Start = long.TryParse(Text(device, "start"), NumberStyles.None, CultureInfo.InvariantCulture, out var sectors) ? sectors * SectorSize : null,
        };
    }

    private static long Size(JsonElement device, string name)
    {
        if (!TryGet(device, "size", out var size))
        {
            return 0;
        }

        switch (size.ValueKind)
        {
            case JsonValueKind.Number when size.TryGetInt64(out var bytes):
                return Math.Max(bytes, 0);
            case JsonValueKind.Number when size.TryGetDouble(out var real) && real >= 0 && real < long.MaxValue:
                return (long)real;
            case JsonValueKind.String when long.TryParse(size.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes):
                return bytes;
            case JsonValueKind.Null:
                return 0;
            default:
                throw new InvalidDataException(
                    $"lsblk gave {name} the size {Excerpt(size.GetRawText())}, which is not a number of bytes");
        }
    }

    private static bool HasMountpoint(JsonElement device)
    {
        if (Text(device, "mountpoint") is not null)
        {
            return true;
        }

        return TryGet(device, "mountpoints", out var all)
            && all.ValueKind == JsonValueKind.Array
            && all.EnumerateArray().Any(mountpoint => TextOf(mountpoint) is not null);
    }

    /// <summary>A column as text; null when absent, null or empty (lsblk prints null, stand-ins "").</summary>
    private static string? Text(JsonElement device, string column) =>
        TryGet(device, column, out var value) ? TextOf(value) : null;

    private static string? TextOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    // lsblk prints lower-case keys; a stand-in may not.
    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string Excerpt(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? "(empty)"
            : trimmed.Length <= ExcerptLength ? trimmed
            : string.Concat(trimmed.AsSpan(0, ExcerptLength), "…");
    }
}
