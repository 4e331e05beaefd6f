using System.Diagnostics.CodeAnalysis;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Apart.Protocol.Yaml;

/// <summary>A thin layer over YamlDotNet's emitter that writes each kind of value the protocol's way.</summary>
[SuppressMessage("Design", "CA1001", Justification = "A StringWriter holds nothing that needs disposing.")]
internal sealed class YamlWriter
{
    private readonly StringWriter _text = new() { NewLine = "\n" };
    private readonly Emitter _emitter;

    public YamlWriter()
    {
        // A wide line keeps long paths on one line; sequences are not indented, like the original's output.
        _emitter = new Emitter(_text, new EmitterSettings().WithBestWidth(int.MaxValue).WithMaxSimpleKeyLength(1024));
        _emitter.Emit(new StreamStart());
        _emitter.Emit(new DocumentStart(null, null, isImplicit: true));
    }

    /// <summary>Starts a mapping (the document itself, or an item of a list).</summary>
    public YamlWriter BeginMapping()
    {
        _emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
        return this;
    }

    public YamlWriter EndMapping()
    {
        _emitter.Emit(new MappingEnd());
        return this;
    }

    /// <summary>Starts a list under a key; <paramref name="flow"/> writes <c>[a, b]</c>.</summary>
    public YamlWriter BeginList(string key, bool flow = false)
    {
        Key(key);
        _emitter.Emit(new SequenceStart(null, null, isImplicit: true, flow ? SequenceStyle.Flow : SequenceStyle.Block));
        return this;
    }

    public YamlWriter EndList()
    {
        _emitter.Emit(new SequenceEnd());
        return this;
    }

    /// <summary>A string item of a list.</summary>
    public YamlWriter Item(string value)
    {
        String(value);
        return this;
    }

    /// <summary>A string field; omitted when null.</summary>
    public YamlWriter Field(string key, string? value)
    {
        if (value is not null)
        {
            Key(key);
            String(value);
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

    /// <summary>Ends the document; the UTF-8 text.</summary>
    public string Finish()
    {
        _emitter.Emit(new DocumentEnd(isImplicit: true));
        _emitter.Emit(new StreamEnd());
        return _text.ToString();
    }

    private void Key(string key) => _emitter.Emit(new Scalar(null, null, key, ScalarStyle.Plain, true, false));

    private YamlWriter Raw(string key, string value)
    {
        Key(key);
        _emitter.Emit(new Scalar(null, null, value, ScalarStyle.Plain, true, false));
        return this;
    }

    private void String(string value) =>
        _emitter.Emit(YamlScalars.CanBePlain(value)
            ? new Scalar(null, null, value, ScalarStyle.Plain, true, false)
            : new Scalar(null, null, value, ScalarStyle.DoubleQuoted, false, true));
}
