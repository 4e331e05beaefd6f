using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Apart.Host.Protocol;

/// <summary>
/// Reads one YAML document that must be a mapping of scalar keys to values, the shape of every
/// request. It walks parser events itself rather than building an object graph, so hostile input
/// stays cheap: aliases are refused outright (no alias bomb can expand), nesting is bounded and
/// skipped without recursion, and nothing but the top-level scalars is kept.
/// </summary>
internal static class FlatYamlMapping
{
    /// <summary>Deepest nesting accepted inside a value before the message is refused.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most entries accepted in the mapping.</summary>
    public const int MaxEntries = 64;

    /// <summary>The mapping's entries by key.</summary>
    public static Dictionary<string, YamlField> Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                throw new InvalidRequestException("The message is empty: a request is a YAML mapping with a 'type' key.");
            }

            parser.Consume<DocumentStart>();
            var entries = ReadMapping(parser);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                throw new InvalidRequestException("The message holds more than one YAML document: send one request per message.");
            }

            return entries;
        }
        catch (YamlException e)
        {
            throw new InvalidRequestException($"The message is not valid YAML: {e.Message}");
        }
#pragma warning disable CA1031 // YamlDotNet's scanner also throws other exceptions on malformed input (seen: InvalidOperationException).
        catch (Exception e) when (e is not InvalidRequestException)
#pragma warning restore CA1031
        {
            throw new InvalidRequestException($"The message is not valid YAML ({e.GetType().Name}).");
        }
    }

    private static Dictionary<string, YamlField> ReadMapping(Parser parser)
    {
        var start = parser.Current;
        if (start is not MappingStart)
        {
            throw new InvalidRequestException(
                $"A request must be a YAML mapping with a 'type' key, not {Describe(start)}.");
        }

        parser.MoveNext();
        var entries = new Dictionary<string, YamlField>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            if (parser.Current is not Scalar key)
            {
                RefuseAlias(parser.Current);
                throw new InvalidRequestException("Request keys must be plain strings.");
            }

            parser.MoveNext();
            if (entries.Count == MaxEntries)
            {
                throw new InvalidRequestException($"A request has at most {MaxEntries} keys.");
            }

            if (!entries.TryAdd(key.Value, ReadValue(parser)))
            {
                throw new InvalidRequestException($"The key '{key.Value}' appears twice.");
            }
        }

        return entries;
    }

    private static YamlField ReadValue(Parser parser)
    {
        var current = parser.Current;
        RefuseAlias(current);
        if (current is Scalar scalar)
        {
            parser.MoveNext();
            return new YamlField(scalar.Style == ScalarStyle.Plain && IsNull(scalar.Value) ? null : scalar.Value, IsNested: false);
        }

        SkipNested(parser);
        return new YamlField(null, IsNested: true);
    }

    // Skips a nested list or mapping iteratively, whatever its depth in the text.
    private static void SkipNested(Parser parser)
    {
        var depth = 0;
        do
        {
            var current = parser.Current;
            RefuseAlias(current);
            if (current is MappingStart or SequenceStart)
            {
                if (++depth > MaxDepth)
                {
                    throw new InvalidRequestException($"The message is nested more than {MaxDepth} levels deep.");
                }
            }
            else if (current is MappingEnd or SequenceEnd)
            {
                depth--;
            }

            if (!parser.MoveNext())
            {
                throw new InvalidRequestException("The message ends inside a list or mapping.");
            }
        }
        while (depth > 0);
    }

    private static void RefuseAlias(ParsingEvent? parsingEvent)
    {
        if (parsingEvent is AnchorAlias)
        {
            throw new InvalidRequestException("YAML aliases are not accepted in requests.");
        }
    }

    private static bool IsNull(string value) => value is "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(ParsingEvent? parsingEvent) => parsingEvent switch
    {
        SequenceStart => "a list",
        Scalar => "a single value",
        AnchorAlias => "an alias",
        _ => "an empty document",
    };
}
