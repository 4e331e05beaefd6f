using System.Text;
using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Host.Protocol;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Apart.Cli.Protocol;

/// <summary>
/// Reads the core's messages (PROTOCOL.md §2–8) into the contract's records. Optional fields may be
/// absent or <c>~</c>; times are RFC 3339; a type this presenter does not know reads as null, so a
/// newer core's extensions pass by unnoticed.
/// </summary>
internal static class EventDecoder
{
    /// <summary>Decodes one message; null for a message type this presenter does not know.</summary>
    /// <exception cref="CoreMessageException">Not YAML, not a mapping, or a field is missing or malformed.</exception>
    public static CoreEvent? Decode(ReadOnlySpan<byte> message)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(message);
        }
        catch (DecoderFallbackException e)
        {
            throw new CoreMessageException("The core sent a message that is not UTF-8 text.", e);
        }

        return Decode(text);
    }

    /// <inheritdoc cref="Decode(ReadOnlySpan{byte})"/>
    public static CoreEvent? Decode(string text)
    {
        var message = new YamlFields(ReadMapping(text), "message");
        var type = message.RequiredString("type");
        return type switch
        {
            ProtocolNames.Status => ReadStatus(message),
            ProtocolNames.Clone => ReadProgress(JobKind.Clone, message),
            ProtocolNames.Restore => ReadProgress(JobKind.Restore, message),
            ProtocolNames.Verify => ReadProgress(JobKind.Verify, message),
            _ when type == ProtocolNames.Failed(JobKind.Clone) => ReadFailure(JobKind.Clone, message),
            _ when type == ProtocolNames.Failed(JobKind.Restore) => ReadFailure(JobKind.Restore, message),
            _ when type == ProtocolNames.Failed(JobKind.Verify) => ReadFailure(JobKind.Verify, message),
            ProtocolNames.DeletedClone => new CloneDeleted(message.RequiredString("file")),
            ProtocolNames.DeleteCloneFailed => new CloneDeleteFailed(message.RequiredString("file"), message.RequiredString("error")),
            ProtocolNames.Error => new RequestError(message.RequiredString("error"), message.String("request")),
            _ => null,
        };
    }

    private static YamlMappingNode ReadMapping(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CoreMessageException($"The core sent a message that is not YAML: {e.Message}", e);
        }

        return stream.Documents is [{ RootNode: YamlMappingNode mapping }]
            ? mapping
            : throw new CoreMessageException("The core sent a message that is not one YAML mapping.");
    }

    private static StatusEvent ReadStatus(YamlFields message)
    {
        var status = message.RequiredString("status") switch
        {
            var s when s == ProtocolNames.Of(CoreStatus.Started) => CoreStatus.Started,
            var s when s == ProtocolNames.Of(CoreStatus.Running) => CoreStatus.Running,
            var s when s == ProtocolNames.Of(CoreStatus.Dying) => CoreStatus.Dying,
            var s => throw new CoreMessageException($"The core sent an unknown status '{s}'."),
        };
        return new StatusEvent(
            status,
            message.List("sources")?.Select(ReadSource).ToList(),
            message.List("compression_options")?.Select(option => option.RequiredString("value")).ToList(),
            message.List("jobs")?.Select(job => ReadProgress(ReadJobKind(job.RequiredString("type")), job)).ToList());
    }

    private static SourceDevice ReadSource(YamlFields source) => new(
        source.RequiredString("name"),
        source.RequiredInteger("size"),
        source.List("parts")?.Select(ReadPart).ToList() ?? []);

    private static PartDevice ReadPart(YamlFields part) => new(
        part.RequiredString("name"),
        part.RequiredInteger("size"),
        part.Boolean("mounted") ?? false,
        part.String("fstype"),
        part.String("label"),
        part.String("uuid"));

    private static JobProgress ReadProgress(JobKind kind, YamlFields message) =>
        new(kind, message.RequiredString("id"), message.RequiredString("source"), message.String("destination"), message.RequiredTime("start"))
        {
            Complete = message.Fraction("complete") ?? 0,
            Syncing = message.Boolean("syncing") ?? false,
            SourceUuid = message.String("source_uuid"),
            Rate = message.String("rate"),
            EstimatedFinish = message.Time("estimated_finish"),
            Finish = message.Time("finish"),
            ImageSize = message.Integer("image_size"),
        };

    private static JobFailed ReadFailure(JobKind kind, YamlFields message) => new(
        kind,
        message.RequiredString("id"),
        message.String("source") ?? "",
        message.String("destination"),
        message.Time("start") ?? DateTimeOffset.UtcNow,
        message.Time("finish") ?? DateTimeOffset.UtcNow,
        message.RequiredString("error"));

    private static JobKind ReadJobKind(string type) => type switch
    {
        ProtocolNames.Clone => JobKind.Clone,
        ProtocolNames.Restore => JobKind.Restore,
        ProtocolNames.Verify => JobKind.Verify,
        _ => throw new CoreMessageException($"The core listed a running job of unknown type '{type}'."),
    };
}
