using System.Text;
using Apart.Abstractions.Protocol;

namespace Apart.Host.Protocol;

/// <summary>
/// Reads a presenter's message into a <see cref="Request"/>, or throws
/// <see cref="InvalidRequestException"/> saying what was wrong (PROTOCOL.md §8).
/// </summary>
internal static class RequestDecoder
{
    /// <summary>The largest message read; requests are a few hundred bytes.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes one message.</summary>
    public static Request Decode(ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxMessageBytes)
        {
            throw new InvalidRequestException($"The message is {message.Length} bytes; the limit is {MaxMessageBytes} bytes (1 MiB).");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(message);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidRequestException("The message is not valid UTF-8 text.");
        }

        var fields = FlatYamlMapping.Read(text);
        var type = fields.TryGetValue("type", out var typeField) && !typeField.IsNested ? typeField.Text : null;
        if (type is null)
        {
            throw new InvalidRequestException("The request has no 'type'.");
        }

        var reader = new FieldReader(type, fields);
        return type switch
        {
            ProtocolNames.StatusRequest => new StatusRequest(),
            ProtocolNames.KillRequest => new KillRequest(),
            ProtocolNames.Clone => new CloneRequest(
                reader.Required("source"), reader.Required("destination"), reader.Required("name"), reader.Optional("compression")),
            ProtocolNames.Restore => new RestoreRequest(reader.Required("source"), reader.Required("destination")),
            ProtocolNames.Verify => new VerifyRequest(reader.Required("source")),
            ProtocolNames.CancelClone => new CancelRequest(JobKind.Clone, reader.Required("id")),
            ProtocolNames.CancelRestore => new CancelRequest(JobKind.Restore, reader.Required("id")),
            ProtocolNames.CancelVerify => new CancelRequest(JobKind.Verify, reader.Required("id")),
            ProtocolNames.DeleteClone => new DeleteCloneRequest(reader.Required("file")),
            _ => throw new InvalidRequestException($"Unknown request type '{Printable(type)}'.", type),
        };
    }

    /// <summary>
    /// A value fit to quote back in an error message: whole for any real path (up to PATH_MAX),
    /// cut short only for hostile lengths.
    /// </summary>
    public static string Printable(string value) => value.Length <= 4096 ? value : value[..4096] + "…";

    private readonly struct FieldReader(string type, Dictionary<string, YamlField> fields)
    {
        public string Required(string key) =>
            Optional(key) ?? throw new InvalidRequestException($"The {type} request lacks '{key}'.", type);

        public string? Optional(string key)
        {
            if (!fields.TryGetValue(key, out var field))
            {
                return null;
            }

            return field.IsNested
                ? throw new InvalidRequestException($"'{key}' must be a single value, not a list or mapping.", type)
                : field.Text;
        }
    }
}
