namespace Apart.Protocol.Schema;

/// <summary>One message type: its <c>type</c>, which way it travels, and the shape of its fields.</summary>
internal sealed class MessageShape
{
    private readonly Func<object, bool> _writes;
    private readonly Func<IReadOnlyList<FieldSchema>> _describe;

    private MessageShape(string type, Direction direction, Func<IFields, object?, object> map, Func<object, bool> writes, Func<IReadOnlyList<FieldSchema>> describe)
    {
        Type = type;
        Direction = direction;
        Map = map;
        _writes = writes;
        _describe = describe;
    }

    /// <summary>The value of the message's <c>type</c> key.</summary>
    public string Type { get; }

    /// <summary>Request or event.</summary>
    public Direction Direction { get; }

    /// <summary>Runs the shape over a writer, reader or describer; returns the record.</summary>
    public Func<IFields, object?, object> Map { get; }

    /// <summary>The message's fields as data.</summary>
    public MessageSchema Schema => new(Type, Direction, _describe());

    /// <summary>Whether this shape writes <paramref name="message"/> (of its record type and, for jobs, its kind).</summary>
    public bool Writes(object message) => _writes(message);

    public static MessageShape Request<T>(string type, Shape<T> shape, Func<T, bool>? writes = null)
        where T : Request => Create(type, Direction.Request, shape, writes);

    public static MessageShape Event<T>(string type, Shape<T> shape, Func<T, bool>? writes = null)
        where T : CoreEvent => Create(type, Direction.Event, shape, writes);

    private static MessageShape Create<T>(string type, Direction direction, Shape<T> shape, Func<T, bool>? writes)
        where T : class => new(
            type,
            direction,
            (fields, message) => shape(fields, (T?)message),
            message => message is T typed && (writes is null || writes(typed)),
            () => FieldDescriber.Describe(shape));
}
