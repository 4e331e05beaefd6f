namespace Apart.Host.Protocol;

/// <summary>A request field's value: a scalar's text (null for <c>~</c>/<c>null</c>), or a list or mapping.</summary>
/// <param name="Text">The scalar's text; null when the value is null or nested.</param>
/// <param name="IsNested">True for a list or mapping, which no request field accepts.</param>
internal readonly record struct YamlField(string? Text, bool IsNested);
