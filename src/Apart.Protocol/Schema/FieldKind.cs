namespace Apart.Protocol.Schema;

/// <summary>The kinds of value a field holds (docs/PROTOCOL.md §2).</summary>
public enum FieldKind
{
    /// <summary>A string, plain where YAML allows and quoted where it does not.</summary>
    Text,

    /// <summary>A plain integer (sizes in bytes).</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A fraction in [0, 1] with a decimal point.</summary>
    Fraction,

    /// <summary>An unquoted RFC 3339 UTC time.</summary>
    Time,

    /// <summary>One word of a fixed set.</summary>
    Choice,

    /// <summary>A flow list of strings.</summary>
    TextList,

    /// <summary>A list of mappings of one shape.</summary>
    List,

    /// <summary>A list of whole progress messages, each with its <c>type</c>.</summary>
    ProgressList,
}
