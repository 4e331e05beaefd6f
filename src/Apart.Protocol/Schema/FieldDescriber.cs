namespace Apart.Protocol.Schema;

/// <summary>Records the fields a shape names, in order, with their kinds: the schema as data.</summary>
internal sealed class FieldDescriber : IFields
{
    private readonly List<FieldSchema> _fields = [];

    /// <summary>The fields of <paramref name="shape"/>.</summary>
    public static IReadOnlyList<FieldSchema> Describe<T>(Shape<T> shape)
        where T : class
    {
        var describer = new FieldDescriber();
        shape(describer, null);
        return describer._fields;
    }

    public string Text(string name, string? value) => Add(name, FieldKind.Text, optional: false, "");

    public string? OptionalText(string name, string? value) => Add<string?>(name, FieldKind.Text, optional: true, null);

    public long Integer(string name, long? value) => Add(name, FieldKind.Number, optional: false, 0L);

    public long? OptionalInteger(string name, long? value) => Add<long?>(name, FieldKind.Number, optional: true, null);

    public bool Boolean(string name, bool? value) => Add(name, FieldKind.Boolean, optional: false, false);

    public bool? OptionalBoolean(string name, bool? value) => Add<bool?>(name, FieldKind.Boolean, optional: true, null);

    public double Fraction(string name, double? value) => Add(name, FieldKind.Fraction, optional: false, 0.0);

    public DateTimeOffset Time(string name, DateTimeOffset? value) => Add(name, FieldKind.Time, optional: false, default(DateTimeOffset));

    public DateTimeOffset? OptionalTime(string name, DateTimeOffset? value) => Add<DateTimeOffset?>(name, FieldKind.Time, optional: true, null);

    public int Choice(string name, int? value, IReadOnlyList<string> words)
    {
        _fields.Add(new FieldSchema(name, FieldKind.Choice, Optional: false, []) { Words = words });
        return 0;
    }

    public IReadOnlyList<string>? OptionalTextList(string name, IReadOnlyList<string>? value) =>
        Add<IReadOnlyList<string>?>(name, FieldKind.TextList, optional: true, null);

    public IReadOnlyList<T>? OptionalList<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class
    {
        _fields.Add(new FieldSchema(name, FieldKind.List, Optional: true, Describe(item)));
        return null;
    }

    public IReadOnlyList<T> List<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class
    {
        _fields.Add(new FieldSchema(name, FieldKind.List, Optional: false, Describe(item)));
        return [];
    }

    public IReadOnlyList<JobProgress>? OptionalProgressList(string name, IReadOnlyList<JobProgress>? value) =>
        Add<IReadOnlyList<JobProgress>?>(name, FieldKind.ProgressList, optional: true, null);

    private T Add<T>(string name, FieldKind kind, bool optional, T placeholder)
    {
        _fields.Add(new FieldSchema(name, kind, optional, []));
        return placeholder;
    }
}
