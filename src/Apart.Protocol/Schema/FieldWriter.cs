using Apart.Protocol.Yaml;

namespace Apart.Protocol.Schema;

/// <summary>Writes each field a shape passes, in order; absent optional fields are left out.</summary>
internal sealed class FieldWriter(YamlWriter yaml) : IFields
{
    public string Text(string name, string? value)
    {
        yaml.Field(name, Present(name, value));
        return value!;
    }

    public string? OptionalText(string name, string? value)
    {
        yaml.Field(name, value);
        return value;
    }

    public long Integer(string name, long? value)
    {
        yaml.Field(name, value ?? throw Missing(name));
        return value.Value;
    }

    public long? OptionalInteger(string name, long? value)
    {
        yaml.Field(name, value);
        return value;
    }

    public bool Boolean(string name, bool? value)
    {
        yaml.Field(name, value ?? throw Missing(name));
        return value.Value;
    }

    public bool? OptionalBoolean(string name, bool? value)
    {
        if (value is { } present)
        {
            yaml.Field(name, present);
        }

        return value;
    }

    public double Fraction(string name, double? value)
    {
        yaml.Fraction(name, value ?? throw Missing(name));
        return value.Value;
    }

    public DateTimeOffset Time(string name, DateTimeOffset? value)
    {
        yaml.Field(name, value ?? throw Missing(name));
        return value.Value;
    }

    public DateTimeOffset? OptionalTime(string name, DateTimeOffset? value)
    {
        yaml.Field(name, value);
        return value;
    }

    public int Choice(string name, int? value, IReadOnlyList<string> words)
    {
        yaml.Field(name, words[value ?? throw Missing(name)]);
        return value.Value;
    }

    public IReadOnlyList<string>? OptionalTextList(string name, IReadOnlyList<string>? value)
    {
        if (value is not null)
        {
            yaml.BeginList(name, flow: true);
            foreach (var item in value)
            {
                yaml.Item(item);
            }

            yaml.EndList();
        }

        return value;
    }

    public IReadOnlyList<T>? OptionalList<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class
    {
        if (value is not null)
        {
            yaml.BeginList(name);
            foreach (var element in value)
            {
                yaml.BeginMapping();
                item(this, element);
                yaml.EndMapping();
            }

            yaml.EndList();
        }

        return value;
    }

    public IReadOnlyList<T> List<T>(string name, IReadOnlyList<T>? value, Shape<T> item)
        where T : class => OptionalList(name, Present(name, value), item)!;

    public IReadOnlyList<JobProgress>? OptionalProgressList(string name, IReadOnlyList<JobProgress>? value)
    {
        if (value is not null)
        {
            yaml.BeginList(name);
            foreach (var progress in value)
            {
                MessageShapes.Write(yaml, MessageShapes.EventShapeOf(progress), progress);
            }

            yaml.EndList();
        }

        return value;
    }

    // A record without a value the protocol requires is a bug in the core, not a message to send.
    private static T Present<T>(string name, T? value)
        where T : class =>
        value ?? throw Missing(name);

    private static InvalidOperationException Missing(string name) =>
        new($"'{name}' must have a value: the protocol requires it.");
}
