namespace Apart.Protocol.Schema;

/// <summary>Which way a message travels.</summary>
public enum Direction
{
    /// <summary>From a presenter to the core.</summary>
    Request,

    /// <summary>From the core to a presenter.</summary>
    Event,
}

/// <summary>One message type and its fields, in the order they are written.</summary>
/// <param name="Type">The value of its <c>type</c> key.</param>
/// <param name="Direction">Request or event.</param>
/// <param name="Fields">Its fields, <c>type</c> not included.</param>
public sealed record MessageSchema(string Type, Direction Direction, IReadOnlyList<FieldSchema> Fields);

/// <summary>One field of a message or of a list item.</summary>
/// <param name="Name">Its key.</param>
/// <param name="Kind">The kind of value it holds.</param>
/// <param name="Optional">Whether it may be absent (or null).</param>
/// <param name="Items">For a <see cref="FieldKind.List"/>, the fields of each item; otherwise empty.</param>
public sealed record FieldSchema(string Name, FieldKind Kind, bool Optional, IReadOnlyList<FieldSchema> Items)
{
    /// <summary>For a <see cref="FieldKind.Choice"/>, its words; otherwise empty.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];
}
