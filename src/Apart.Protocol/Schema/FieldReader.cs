using System.Globalization;
using Apart.Protocol.Yaml;

namespace Apart.Protocol.Schema;

/// <summary>
/// Returns each field a shape asks for, read from one mapping of a message; a required field that
/// is absent or null, or a value of the wrong kind, is an <see cref="InvalidMessageException"/>.
/// Keys no shape asks for are ignored, so a newer peer's extensions pass unnoticed.
/// </summary>
/// <param name="mapping">The mapping read.</param>
/// <param name="context">What it is, for errors: <c>The clone request</c>, <c>An item of sources</c>.</param>
/// <param name="messageType">The message's type, carried by every error.</param>
internal sealed class FieldReader(YamlMapping mapping, string context, string messageType) : IFields
{
    public string Text(string name, string? value) => OptionalText(name, value) ?? throw Missing(name);

    public string? OptionalText(string name, string? value) => Scalar(name)?.Text;

    public long Integer(string name, long? value) => OptionalInteger(name, value) ?? throw Missing(name);

    public long? OptionalInteger(string name, long? value) => Scalar(name) is { } scalar
        ? long.TryParse(scalar.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : throw Malformed(name, "an integer")
        : null;

    public bool Boolean(string name, bool? value) => OptionalBoolean(name, value) ?? throw Missing(name);

    // YAML 1.2's spellings and YAML 1.1's (pyyaml reads yes/no/on/off as booleans too).
    public bool? OptionalBoolean(string name, bool? value) => Scalar(name)?.Text switch
    {
        null => null,
        "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => throw Malformed(name, "true or false"),
    };

    public double Fraction(string name, double? value) => Scalar(name) is { } scalar
        ? double.TryParse(scalar.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) && double.IsFinite(fraction)
            ? fraction
            : throw Malformed(name, "a number")
        : throw Missing(name);

    public DateTimeOffset Time(string name, DateTimeOffset? value) => OptionalTime(name, value) ?? throw Missing(name);

    // RFC 3339; a time without a zone is taken as UTC.
    public DateTimeOffset? OptionalTime(string name, DateTimeOffset? value) => Scalar(name) is { } scalar
        ? DateTimeOffset.TryParse(scalar.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : throw Malformed(name, "an RFC 3339 time")
        : null;

    public int Choice(string name, int? value, IReadOnlyList<string> words)
    {
        var text = Text(name, null);
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i] == text)
            {
                return i;
            }
        }

        throw Malformed(name, "one of " + string.Join(", ", words));
    }

    public IReadOnlyList<string>? OptionalTextList(string name, IReadOnlyList<string>? value) =>
        Sequence(name)?.Items.Select(item => item is YamlScalar { IsNull: false } scalar
                ? scalar.Text
                : throw new InvalidMessageException($"The items of '{name}' in {Lowercase(context)} must be strings.", messageType))
            .ToList();

    public IReadOnlyList<T>? OptionalList<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class =>
        Sequence(name)?.Items.Select(element => item(new FieldReader(Mapping(name, element), $"An item of '{name}' in {Lowercase(context)}", messageType), null))
            .ToList();

    public IReadOnlyList<T> List<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class => OptionalList(name, value, item) ?? throw Missing(name);

    public IReadOnlyList<JobProgress>? OptionalProgressList(string name, IReadOnlyList<JobProgress>? value) =>
        Sequence(name)?.Items.Select(element => MessageShapes.ReadEvent(Mapping(name, element)) as JobProgress
                ?? throw new InvalidMessageException($"The items of '{name}' in {Lowercase(context)} must be job progress messages.", messageType))
            .ToList();

    private YamlScalar? Scalar(string name) => mapping[name] switch
    {
        null => null,
        YamlScalar { IsNull: true } => null,
        YamlScalar scalar => scalar,
        _ => throw new InvalidMessageException($"'{name}' must be a single value, not a list or mapping.", messageType),
    };

    private YamlSequence? Sequence(string name) => mapping[name] switch
    {
        null or YamlScalar { IsNull: true } => null,
        YamlSequence sequence => sequence,
        _ => throw Malformed(name, "a list"),
    };

    private YamlMapping Mapping(string name, YamlNode item) => item as YamlMapping
        ?? throw new InvalidMessageException($"The items of '{name}' in {Lowercase(context)} must be mappings.", messageType);

    private InvalidMessageException Missing(string name) => new($"{context} lacks '{name}'.", messageType);

    private InvalidMessageException Malformed(string name, string expected) =>
        new($"'{name}' in {Lowercase(context)} must be {expected}.", messageType);

    private static string Lowercase(string text) => text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
