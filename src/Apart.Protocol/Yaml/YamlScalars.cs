using System.Globalization;
using System.Text.RegularExpressions;

namespace Apart.Protocol.Yaml;

/// <summary>
/// How values are written (docs/PROTOCOL.md §2): strings plain only where every YAML loader reads them
/// back as the same string, quoted otherwise; times unquoted RFC 3339 UTC; <c>complete</c> always
/// with a decimal point.
/// </summary>
internal static partial class YamlScalars
{
    /// <summary>
    /// Whether a string may be written plain: printable ASCII without YAML indicators where they
    /// matter, and not a word or number a YAML 1.1 loader (pyyaml) or 1.2 loader would turn into a
    /// bool, null, number, date or merge key.
    /// </summary>
    public static bool CanBePlain(string value) =>
        value.Length > 0
        && SafePlain().IsMatch(value)
        && !value.Contains(": ", StringComparison.Ordinal)
        && !value.Contains(" #", StringComparison.Ordinal)
        && !value.EndsWith(':')
        && !value.EndsWith(' ')
        && !ImplicitlyTyped().IsMatch(value);

    /// <summary><c>2017-04-18T17:39:01Z</c>: UTC, whole seconds.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>0.0</c>, <c>0.5634</c>, <c>1.0</c>: four decimals at most, never without a point.</summary>
    public static string Fraction(double value) =>
        Math.Clamp(value, 0, 1).ToString("0.0###", CultureInfo.InvariantCulture);

    /// <summary>An integer as YAML reads it.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static string Boolean(bool value) => value ? "true" : "false";

    // Starts with a letter, digit, '/', '.' or '_' and holds only printable ASCII.
    [GeneratedRegex(@"^[A-Za-z0-9/._][\x20-\x7E]*$")]
    private static partial Regex SafePlain();

    // YAML 1.1 and 1.2 implicit types: bools, nulls, ints (binary, octal, hex, sexagesimal,
    // underscores), floats (incl. .inf/.nan), timestamps, and the merge/value keys.
    [GeneratedRegex(
        @"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
        + @"|~|null|Null|NULL|<<|="
        + @"|[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
        + @"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
        + @"|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)"
        + @"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
        + @"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
        + @"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$")]
    private static partial Regex ImplicitlyTyped();
}
