using System.Text;
using Apart.Protocol.Schema;
using Apart.Protocol.Yaml;

namespace Apart.Protocol;

/// <summary>
/// Messages to bytes and back, both ways, for the core and for presenters alike: one YAML
/// mapping per message in UTF-8, written and read by the one schema (docs/PROTOCOL.md §2).
/// </summary>
public static class ProtocolCodec
{
    /// <summary>The largest message read; requests are a few hundred bytes, a status a few kilobytes.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private const string RequestNoun = "request";
    private const string EventNoun = "message";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Every message type with its fields: the schema as data (docs, tests).</summary>
    public static IReadOnlyList<MessageSchema> Schema => MessageShapes.All.Select(shape => shape.Schema).ToList();

    /// <summary>
    /// Reads one request and throws it away: the reader's one-time set-up (YamlDotNet builds its
    /// regular expressions, some 10 ms) is then done, and a first request does not wait for it.
    /// </summary>
    public static void PrepareReader() => _ = DecodeRequest("type: status-request\n"u8);

    /// <summary>The UTF-8 bytes of a request.</summary>
    public static byte[] Encode(Request request) => Encoding.UTF8.GetBytes(ToYaml(request));

    /// <summary>The UTF-8 bytes of a message from the core.</summary>
    public static byte[] Encode(CoreEvent message) => Encoding.UTF8.GetBytes(ToYaml(message));

    /// <summary>The YAML text of a request.</summary>
    public static string ToYaml(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Write(MessageShapes.RequestShapeOf(request), request);
    }

    /// <summary>The YAML text of a message from the core.</summary>
    public static string ToYaml(CoreEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Write(MessageShapes.EventShapeOf(message), message);
    }

    /// <summary>Reads a presenter's request.</summary>
    /// <exception cref="InvalidMessageException">What was wrong with it, in words to send back.</exception>
    public static Request DecodeRequest(ReadOnlySpan<byte> message)
    {
        var mapping = YamlTreeReader.Read(Text(message), RequestNoun);
        var type = MessageShapes.TypeOf(mapping, RequestNoun);
        var shape = MessageShapes.Request(type)
            ?? throw new InvalidMessageException($"Unknown request type '{Printable.Bounded(type)}'.", type);
        return (Request)shape.Map(new FieldReader(mapping, $"The {type} request", type), null);
    }

    /// <summary>Reads a message from the core; null for a type this presenter does not know (a newer core's extension).</summary>
    /// <exception cref="InvalidMessageException">What was wrong with it.</exception>
    public static CoreEvent? DecodeEvent(ReadOnlySpan<byte> message) =>
        MessageShapes.ReadEvent(YamlTreeReader.Read(Text(message), EventNoun));

    private static string Write(MessageShape shape, object message)
    {
        var yaml = new YamlWriter();
        MessageShapes.Write(yaml, shape, message);
        return yaml.Finish();
    }

    private static string Text(ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxMessageBytes)
        {
            throw new InvalidMessageException($"The message is {message.Length} bytes; the limit is {MaxMessageBytes} bytes (1 MiB).");
        }

        try
        {
            return StrictUtf8.GetString(message);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidMessageException("The message is not valid UTF-8 text.");
        }
    }
}
