using System.Globalization;
using System.Text;

namespace Apart.Protocol.Yaml;

/// <summary>
/// Writes a message as YAML text, each kind of value the protocol's way: block mappings, lists
/// under a key at the key's own indentation (as the original core wrote them), lists of strings
/// in flow style (<c>[a, b]</c>), strings plain or double-quoted (<see cref="YamlScalars"/>).
/// The protocol's messages need no more of YAML than that, and writing it directly costs a first
/// message no emitter to load.
/// </summary>
internal sealed class YamlWriter
{
    private readonly StringBuilder _text = new(256);
    private readonly Stack<Level> _levels = new();

    private enum Kind
    {
        Mapping,
        BlockList,
        FlowList,
    }

    /// <summary>Starts a mapping (the document itself, or an item of a list).</summary>
    public YamlWriter BeginMapping()
    {
        if (_levels.TryPeek(out var list))
        {
            if (list.Kind != Kind.BlockList)
            {
                throw new InvalidOperationException("A mapping goes at the top or in a block list.");
            }

            // "- " and the mapping's first key on one line; its other keys under that key.
            StartItem(list);
            _levels.Push(new Level(Kind.Mapping, list.Indent + 2) { OnItemLine = true });
        }
        else
        {
            _levels.Push(new Level(Kind.Mapping, 0));
        }

        return this;
    }

    public YamlWriter EndMapping()
    {
        End(mapping: true);
        return this;
    }

    /// <summary>Starts a list under a key; <paramref name="flow"/> writes <c>[a, b]</c>.</summary>
    public YamlWriter BeginList(string key, bool flow = false)
    {
        var mapping = Key(key);
        if (flow)
        {
            _text.Append(" [");
        }

        // A block list's items stand at its key's indentation; an empty one is written [] once known.
        _levels.Push(new Level(flow ? Kind.FlowList : Kind.BlockList, mapping.Indent));
        return this;
    }

    public YamlWriter EndList()
    {
        var list = End(mapping: false);
        _text.Append(list.Kind == Kind.FlowList ? "]\n" : list.Items == 0 ? " []\n" : "");
        return this;
    }

    /// <summary>A string item of a list.</summary>
    public YamlWriter Item(string value)
    {
        if (!_levels.TryPeek(out var list) || list.Kind == Kind.Mapping)
        {
            throw new InvalidOperationException("An item goes in a list.");
        }

        StartItem(list);
        String(value, flow: list.Kind == Kind.FlowList);
        if (list.Kind == Kind.BlockList)
        {
            _text.Append('\n');
        }

        return this;
    }

    /// <summary>A string field; omitted when null.</summary>
    public YamlWriter Field(string key, string? value)
    {
        if (value is not null)
        {
            Key(key);
            _text.Append(' ');
            String(value, flow: false);
            _text.Append('\n');
        }

        return this;
    }

    public YamlWriter Field(string key, long value) => Raw(key, YamlScalars.Integer(value));

    public YamlWriter Field(string key, long? value) => value is null ? this : Field(key, value.Value);

    public YamlWriter Field(string key, bool value) => Raw(key, YamlScalars.Boolean(value));

    /// <summary>A time field, unquoted so YAML loaders read a datetime; omitted when null.</summary>
    public YamlWriter Field(string key, DateTimeOffset? value) =>
        value is null ? this : Raw(key, YamlScalars.Timestamp(value.Value));

    /// <summary>A fraction in [0, 1], always with a decimal point.</summary>
    public YamlWriter Fraction(string key, double value) => Raw(key, YamlScalars.Fraction(value));

    /// <summary>Ends the document; its text.</summary>
    public string Finish()
    {
        if (_levels.Count != 0)
        {
            throw new InvalidOperationException("A mapping or list was left open.");
        }

        return _text.ToString();
    }

    // Writes "key:" where the current mapping's next key goes; the mapping.
    private Level Key(string key)
    {
        if (!_levels.TryPeek(out var mapping) || mapping.Kind != Kind.Mapping)
        {
            throw new InvalidOperationException("A key goes in a mapping.");
        }

        if (mapping.OnItemLine)
        {
            mapping.OnItemLine = false;
        }
        else
        {
            _text.Append(' ', mapping.Indent);
        }

        _text.Append(key).Append(':');
        return mapping;
    }

    private YamlWriter Raw(string key, string value)
    {
        Key(key);
        _text.Append(' ').Append(value).Append('\n');
        return this;
    }

    private void StartItem(Level list)
    {
        if (list.Kind == Kind.FlowList)
        {
            _text.Append(list.Items == 0 ? "" : ", ");
        }
        else
        {
            _text.Append(list.Items == 0 ? "\n" : "").Append(' ', list.Indent).Append("- ");
        }

        list.Items++;
    }

    private Level End(bool mapping)
    {
        if (!_levels.TryPop(out var level) || (level.Kind == Kind.Mapping) != mapping)
        {
            throw new InvalidOperationException(mapping ? "No mapping is open here." : "No list is open here.");
        }

        return level;
    }

    // Plain where YamlScalars allows it (in a flow list also without , [ ] { }), else double-quoted.
    private void String(string value, bool flow)
    {
        if (YamlScalars.CanBePlain(value) && !(flow && value.AsSpan().IndexOfAny(",[]{}") >= 0))
        {
            _text.Append(value);
            return;
        }

        _text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': _text.Append("\\\""); break;
                case '\\': _text.Append("\\\\"); break;
                case '\0': _text.Append("\\0"); break;
                case '\t': _text.Append("\\t"); break;
                case '\n': _text.Append("\\n"); break;
                case '\r': _text.Append("\\r"); break;
                case '\u001b': _text.Append("\\e"); break;
                case < ' ' or (>= '\u007f' and <= '\u009f') or '\u2028' or '\u2029' or '\ufeff' or '\ufffe' or '\uffff':
                    // Not printable in YAML (or a byte-order mark, a line break to some readers): escaped.
                    _text.Append(c <= '\u00ff' ? "\\x" : "\\u").Append(((int)c).ToString(c <= '\u00ff' ? "X2" : "X4", CultureInfo.InvariantCulture));
                    break;
                default: _text.Append(c); break;
            }
        }

        _text.Append('"');
    }

    private sealed class Level(Kind kind, int indent)
    {
        public Kind Kind { get; } = kind;

        // A mapping's keys, or a list's items ("- ").
        public int Indent { get; } = indent;

        public int Items { get; set; }

        // A list item's mapping before its first key: that key follows "- " on the same line.
        public bool OnItemLine { get; set; }
    }
}
