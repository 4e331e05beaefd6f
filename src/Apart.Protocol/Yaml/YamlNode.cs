namespace Apart.Protocol.Yaml;

/// <summary>A value of a message, as <see cref="YamlTreeReader"/> reads it: a scalar, a list or a mapping.</summary>
internal abstract record YamlNode;

/// <summary>A scalar's text, and whether it was written plain (only a plain <c>~</c> or <c>null</c> is null).</summary>
internal sealed record YamlScalar(string Text, bool IsPlain) : YamlNode
{
    /// <summary>A plain empty value, <c>~</c> or <c>null</c> in any of YAML's spellings.</summary>
    public bool IsNull => IsPlain && Text is "" or "~" or "null" or "Null" or "NULL";
}

/// <summary>A list.</summary>
internal sealed record YamlSequence(IReadOnlyList<YamlNode> Items) : YamlNode;

/// <summary>A mapping of scalar keys, in the order written.</summary>
internal sealed record YamlMapping(IReadOnlyDictionary<string, YamlNode> Entries) : YamlNode
{
    /// <summary>The value under <paramref name="key"/>; null when absent.</summary>
    public YamlNode? this[string key] => Entries.GetValueOrDefault(key);
}
