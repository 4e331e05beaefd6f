using System.Text.Json;

namespace Apart.Host.Core;

/// <summary>
/// The core's settings, by key: <c>appsettings.json</c> beside the executable, then
/// <c>/etc/apart/apart.json</c>, then <c>APART_&lt;Key&gt;</c> environment variables, each winning
/// over the one before. Nested JSON objects give keys joined with <c>:</c>
/// (<c>Logging:LogLevel:Default</c>), written <c>__</c> in an environment variable's name. Keys
/// are compared without regard to case, as they always were.
/// </summary>
internal sealed class CoreSettings
{
    /// <summary>Where service-wide settings live.</summary>
    public const string SystemFile = "/etc/apart/apart.json";

    private const string EnvironmentPrefix = "APART_";

    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The value of <paramref name="key"/>, or null when no source sets it.</summary>
    public string? this[string key] => _values.GetValueOrDefault(key);

    /// <summary>Every key under <paramref name="section"/> (<c>Logging:LogLevel</c>), without the section's name, and its value.</summary>
    public IEnumerable<KeyValuePair<string, string>> Section(string section)
    {
        var prefix = section + ":";
        foreach (var (key, value) in _values)
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new(key[prefix.Length..], value);
            }
        }
    }

    /// <summary>Whether <paramref name="key"/> is set to <c>true</c> (any case).</summary>
    /// <exception cref="FormatException">It is set to something that is neither true nor false.</exception>
    public bool Flag(string key) => this[key] switch
    {
        null => false,
        var text when bool.TryParse(text, out var flag) => flag,
        var text => throw new FormatException($"The setting {key} must be true or false, not \"{text}\"."),
    };

    /// <summary>Reads the settings of a core run from <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="FormatException">A settings file is not valid JSON (the message names it).</exception>
    public static CoreSettings Load(string baseDirectory) =>
        Load([Path.Join(baseDirectory, "appsettings.json"), SystemFile], Environment.GetEnvironmentVariables());

    /// <summary>Reads <paramref name="files"/> (those that exist, in order) and then <paramref name="environment"/>.</summary>
    internal static CoreSettings Load(IEnumerable<string> files, System.Collections.IDictionary environment)
    {
        var settings = new CoreSettings();
        foreach (var file in files)
        {
            // Usually neither file exists: asked first, so that no exception is thrown (the catch
            // below is for one removed meanwhile).
            if (!File.Exists(file))
            {
                continue;
            }

            byte[] json;
            try
            {
                json = File.ReadAllBytes(file);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }

            settings.AddJson(file, json);
        }

        foreach (System.Collections.DictionaryEntry variable in environment)
        {
            if (variable.Key is string name && variable.Value is string value
                && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > EnvironmentPrefix.Length)
            {
                settings._values[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = value;
            }
        }

        return settings;
    }

    private void AddJson(string file, byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{file} must hold a JSON object.");
            }

            Add(prefix: null, document.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{file} is not valid JSON: {e.Message}", e);
        }
    }

    private void Add(string? prefix, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Add(prefix is null ? property.Name : $"{prefix}:{property.Name}", property.Value);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Add($"{prefix}:{index++}", item);
                }

                break;
            case JsonValueKind.Null:
                _values[prefix!] = "";
                break;
            case JsonValueKind.String:
                _values[prefix!] = element.GetString()!;
                break;
            default:
                _values[prefix!] = element.GetRawText();
                break;
        }
    }
}
