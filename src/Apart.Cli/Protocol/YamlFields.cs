using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Apart.Cli.Protocol;

/// <summary>
/// Typed reads of one YAML mapping's fields, the way PROTOCOL.md §2 writes values. A list item that
/// is a scalar reads as a mapping with the single key <c>value</c>.
/// </summary>
internal sealed class YamlFields
{
    private readonly YamlMappingNode? _mapping;
    private readonly YamlScalarNode? _scalar;
    private readonly string _where;

    /// <summary>Reads fields of <paramref name="mapping"/>; <paramref name="where"/> names it in errors.</summary>
    public YamlFields(YamlMappingNode mapping, string where)
    {
        _mapping = mapping;
        _where = where;
    }

    private YamlFields(YamlScalarNode scalar, string where)
    {
        _scalar = scalar;
        _where = where;
    }

    /// <summary>A string field; null when absent or null.</summary>
    public string? String(string key)
    {
        var node = Find(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            throw Malformed(key, "a single value");
        }

        return IsNull(scalar) ? null : scalar.Value;
    }

    public string RequiredString(string key) => String(key) ?? throw Missing(key);

    /// <summary>An integer field such as a size in bytes.</summary>
    public long? Integer(string key) =>
        String(key) is { } text
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Malformed(key, "an integer")
            : null;

    public long RequiredInteger(string key) => Integer(key) ?? throw Missing(key);

    /// <summary>A fraction such as <c>complete</c>.</summary>
    public double? Fraction(string key) =>
        String(key) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Malformed(key, "a number")
            : null;

    /// <summary>A boolean; YAML 1.1's spellings of true and false are accepted too.</summary>
    public bool? Boolean(string key) => String(key) switch
    {
        null => null,
        "true" or "True" or "TRUE" or "yes" or "Yes" or "on" => true,
        "false" or "False" or "FALSE" or "no" or "No" or "off" => false,
        _ => throw Malformed(key, "true or false"),
    };

    /// <summary>An RFC 3339 time; one without a zone is taken as UTC.</summary>
    public DateTimeOffset? Time(string key) =>
        String(key) is { } text
            ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : throw Malformed(key, "an RFC 3339 time")
            : null;

    public DateTimeOffset RequiredTime(string key) => Time(key) ?? throw Missing(key);

    /// <summary>The items of a list field; null when absent or null.</summary>
    public IEnumerable<YamlFields>? List(string key)
    {
        var node = Find(key);
        if (node is null || node is YamlScalarNode scalar && IsNull(scalar))
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Malformed(key, "a list");
        }

        var where = $"{_where}.{key}";
        return sequence.Children.Select(item => item switch
        {
            YamlMappingNode mapping => new YamlFields(mapping, where),
            YamlScalarNode value => new YamlFields(value, where),
            _ => throw new CoreMessageException($"The core sent a nested list in '{where}'."),
        }).ToList();
    }

    private YamlNode? Find(string key)
    {
        if (_scalar is not null)
        {
            return key == "value" ? _scalar : null;
        }

        return _mapping!.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private CoreMessageException Missing(string key) => new($"The core sent a {_where} without '{key}'.");

    private CoreMessageException Malformed(string key, string expected) =>
        new($"The core sent a {_where} whose '{key}' is not {expected}.");
}
