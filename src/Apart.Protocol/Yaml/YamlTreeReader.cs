using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Apart.Protocol.Yaml;

/// <summary>
/// Reads one YAML document that must be a mapping into a tree of scalars, lists and mappings,
/// walking the parser's events itself so that hostile input stays cheap: aliases are refused
/// outright (no alias bomb can expand), nesting is bounded and tracked without recursion, and a
/// mapping holds a bounded number of keys. The text's own size is bounded by the caller.
/// </summary>
internal static class YamlTreeReader
{
    /// <summary>Deepest nesting accepted inside a value of the document's mapping.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most entries accepted in one mapping.</summary>
    public const int MaxEntries = 64;

    /// <summary>The document's mapping.</summary>
    /// <param name="text">The document.</param>
    /// <param name="noun">What a message is called in errors: <c>request</c>, <c>message</c>.</param>
    /// <exception cref="InvalidMessageException">Not one YAML mapping within the limits.</exception>
    public static YamlMapping Read(string text, string noun)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                throw new InvalidMessageException($"The message is empty: a {noun} is a YAML mapping with a '{MessageTypes.TypeKey}' key.");
            }

            parser.Consume<DocumentStart>();
            if (parser.Current is not MappingStart)
            {
                RefuseAlias(parser.Current);
                throw new InvalidMessageException(
                    $"A {noun} must be a YAML mapping with a '{MessageTypes.TypeKey}' key, not {Describe(parser.Current)}.");
            }

            var root = ReadValue(parser, noun);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                throw new InvalidMessageException($"The message holds more than one YAML document: send one {noun} per message.");
            }

            return (YamlMapping)root;
        }
        catch (YamlException e)
        {
            throw new InvalidMessageException($"The message is not valid YAML: {e.Message}");
        }
#pragma warning disable CA1031 // YamlDotNet's scanner also throws other exceptions on malformed input (seen: InvalidOperationException).
        catch (Exception e) when (e is not InvalidMessageException)
#pragma warning restore CA1031
        {
            throw new InvalidMessageException($"The message is not valid YAML ({e.GetType().Name}).");
        }
    }

    // Builds the value starting at the parser's current event, with an explicit stack: a message
    // nested ten thousand levels deep is refused at level 33 without ever recursing.
    private static YamlNode ReadValue(Parser parser, string noun)
    {
        var open = new Stack<Collection>();
        while (true)
        {
            var current = parser.Current;
            RefuseAlias(current);
            YamlNode? done = null;
            switch (current)
            {
                case Scalar scalar:
                    done = new YamlScalar(scalar.Value, scalar.Style == ScalarStyle.Plain);
                    break;
                case MappingStart or SequenceStart:
                    // The document's own mapping is level 0; its values may nest MaxDepth levels.
                    if (open.Count > MaxDepth)
                    {
                        throw new InvalidMessageException($"The message is nested more than {MaxDepth} levels deep.");
                    }

                    open.Push(current is MappingStart ? new Collection(new Dictionary<string, YamlNode>(StringComparer.Ordinal)) : new Collection(null));
                    break;
                case MappingEnd or SequenceEnd:
                    var closed = open.Pop();
                    done = closed.Entries is { } entries ? new YamlMapping(entries) : new YamlSequence(closed.Items);
                    break;
                default:
                    throw new InvalidMessageException("The message is not a YAML document of values.");
            }

            if (!parser.MoveNext())
            {
                throw new InvalidMessageException("The message ends inside a list or mapping.");
            }

            if (done is null)
            {
                continue;
            }

            if (open.Count == 0)
            {
                return done;
            }

            open.Peek().Add(done, noun);
        }
    }

    private static void RefuseAlias(ParsingEvent? parsingEvent)
    {
        if (parsingEvent is AnchorAlias)
        {
            throw new InvalidMessageException("YAML aliases are not accepted in messages.");
        }
    }

    private static string Describe(ParsingEvent? parsingEvent) => parsingEvent switch
    {
        SequenceStart => "a list",
        Scalar => "a single value",
        _ => "an empty document",
    };

    // A mapping or list being read. A mapping's key waits here for its value.
    private sealed class Collection(Dictionary<string, YamlNode>? entries)
    {
        private string? _key;

        public Dictionary<string, YamlNode>? Entries { get; } = entries;

        public List<YamlNode> Items { get; } = [];

        public void Add(YamlNode node, string noun)
        {
            if (Entries is null)
            {
                Items.Add(node);
                return;
            }

            if (_key is null)
            {
                _key = node is YamlScalar key ? key.Text : throw new InvalidMessageException($"A {noun}'s keys must be plain strings.");
                return;
            }

            if (Entries.Count == MaxEntries)
            {
                throw new InvalidMessageException($"A mapping has at most {MaxEntries} keys.");
            }

            if (!Entries.TryAdd(_key, node))
            {
                throw new InvalidMessageException($"The key '{Printable.Bounded(_key)}' appears twice.");
            }

            _key = null;
        }
    }
}
