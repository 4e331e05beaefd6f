namespace Apart.Protocol.Schema;

/// <summary>
/// The fields of one message or list item, as a shape (<see cref="Shape{T}"/>) names them. A shape
/// is a function that builds its record from these calls, in order; each call names a field, its
/// kind and whether it may be absent, and passes the record's value. Three implementations give
/// the one shape its three uses: <see cref="FieldWriter"/> writes each value given and returns it
/// (encoding), <see cref="FieldReader"/> returns each value read from a message and ignores the
/// one given (decoding), <see cref="FieldDescriber"/> records the fields (the schema as data).
/// </summary>
internal interface IFields
{
    /// <summary>A string that must be there.</summary>
    string Text(string name, string? value);

    /// <summary>A string that may be absent or null.</summary>
    string? OptionalText(string name, string? value);

    /// <summary>An integer (a size in bytes) that must be there.</summary>
    long Integer(string name, long? value);

    /// <summary>An integer that may be absent or null.</summary>
    long? OptionalInteger(string name, long? value);

    /// <summary><c>true</c> or <c>false</c>, which must be there.</summary>
    bool Boolean(string name, bool? value);

    /// <summary><c>true</c> or <c>false</c>, or absent.</summary>
    bool? OptionalBoolean(string name, bool? value);

    /// <summary>A fraction in [0, 1], always written with a decimal point (<c>complete</c>).</summary>
    double Fraction(string name, double? value);

    /// <summary>An RFC 3339 time in UTC, written unquoted, which must be there.</summary>
    DateTimeOffset Time(string name, DateTimeOffset? value);

    /// <summary>A time that may be absent or null.</summary>
    DateTimeOffset? OptionalTime(string name, DateTimeOffset? value);

    /// <summary>One of a fixed set of words, given and returned by its index in <paramref name="words"/>.</summary>
    int Choice(string name, int? value, IReadOnlyList<string> words);

    /// <summary>A list of strings written in flow style (<c>[gz, zst]</c>), or absent.</summary>
    IReadOnlyList<string>? OptionalTextList(string name, IReadOnlyList<string>? value);

    /// <summary>A list of mappings, each of the shape <paramref name="item"/>, or absent.</summary>
    IReadOnlyList<T>? OptionalList<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class;

    /// <summary>A list of mappings that must be there.</summary>
    IReadOnlyList<T> List<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class;

    /// <summary>A list of whole progress messages, each with its own <c>type</c> (a running status's <c>jobs</c>), or absent.</summary>
    IReadOnlyList<JobProgress>? OptionalProgressList(string name, IReadOnlyList<JobProgress>? value);
}

/// <summary>
/// The shape of a record on the wire: builds it from <paramref name="fields"/>, passing each of
/// <paramref name="value"/>'s fields on the way (see <see cref="IFields"/>).
/// </summary>
/// <param name="fields">The writer, reader or describer.</param>
/// <param name="value">The record being written; null when reading or describing.</param>
internal delegate T Shape<T>(IFields fields, T? value)
    where T : class;
