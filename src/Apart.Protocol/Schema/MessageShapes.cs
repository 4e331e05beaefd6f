using Apart.Protocol.Yaml;

namespace Apart.Protocol.Schema;

/// <summary>
/// The protocol's schema: every message type and the shape of its fields, each written once
/// (docs/PROTOCOL.md). Encoding, decoding and the schema as data all run these shapes. Adding a
/// field to a message is one line in its shape (and its record's property).
/// </summary>
internal static class MessageShapes
{
    /// <summary>Every message, requests first, in the order docs/PROTOCOL.md presents them.</summary>
    public static IReadOnlyList<MessageShape> All { get; } = [.. RequestShapes(), .. EventShapes()];

    private static readonly Dictionary<string, MessageShape> s_requests = ByType(Direction.Request);
    private static readonly Dictionary<string, MessageShape> s_events = ByType(Direction.Event);

    /// <summary>The request shape for a type, or null when there is none.</summary>
    public static MessageShape? Request(string type) => s_requests.GetValueOrDefault(type);

    /// <summary>The event shape for a type, or null when there is none.</summary>
    public static MessageShape? Event(string type) => s_events.GetValueOrDefault(type);

    /// <summary>The shape that writes <paramref name="request"/>.</summary>
    public static MessageShape RequestShapeOf(Request request) => ShapeOf(s_requests.Values, request);

    /// <summary>The shape that writes <paramref name="message"/>.</summary>
    public static MessageShape EventShapeOf(CoreEvent message) => ShapeOf(s_events.Values, message);

    /// <summary>Writes a whole message (its type first, then its fields) as a mapping.</summary>
    public static void Write(YamlWriter yaml, MessageShape shape, object message)
    {
        yaml.BeginMapping().Field(MessageTypes.TypeKey, shape.Type);
        shape.Map(new FieldWriter(yaml), message);
        yaml.EndMapping();
    }

    /// <summary>Reads one event from a mapping; null for a type this side does not know.</summary>
    public static CoreEvent? ReadEvent(YamlMapping mapping) =>
        TypeOf(mapping, "message") is var type && Event(type) is { } shape
            ? (CoreEvent)shape.Map(new FieldReader(mapping, $"The {Printable.Bounded(type)} message", type), null)
            : null;

    /// <summary>The <c>type</c> of a message.</summary>
    public static string TypeOf(YamlMapping mapping, string noun) => mapping[MessageTypes.TypeKey] switch
    {
        YamlScalar { IsNull: false } type => type.Text,
        _ => throw new InvalidMessageException($"The {noun} has no '{MessageTypes.TypeKey}'."),
    };

    private static IEnumerable<MessageShape> RequestShapes()
    {
        yield return MessageShape.Request<StatusRequest>(MessageTypes.StatusRequest, (f, m) => new StatusRequest());
        yield return MessageShape.Request<KillRequest>(MessageTypes.KillRequest, (f, m) => new KillRequest());
        yield return MessageShape.Request<CloneRequest>(MessageTypes.Job(JobKind.Clone), (f, m) => new CloneRequest(
            f.Text("source", m?.Source),
            f.Text("destination", m?.Destination),
            f.Text("name", m?.Name),
            f.OptionalText("compression", m?.Compression)));
        yield return MessageShape.Request<RestoreRequest>(MessageTypes.Job(JobKind.Restore), (f, m) => new RestoreRequest(
            f.Text("source", m?.Source),
            f.Text("destination", m?.Destination),
            f.OptionalBoolean("grow", m?.Grow)));
        yield return MessageShape.Request<VerifyRequest>(MessageTypes.Job(JobKind.Verify), (f, m) => new VerifyRequest(
            f.Text("source", m?.Source)));
        yield return MessageShape.Request<CloneDiskRequest>(MessageTypes.Job(JobKind.CloneDisk), (f, m) => new CloneDiskRequest(
            f.Text("source", m?.Source),
            f.Text("destination", m?.Destination),
            f.Text("name", m?.Name),
            f.OptionalText("compression", m?.Compression)));
        yield return MessageShape.Request<RestoreDiskRequest>(MessageTypes.Job(JobKind.RestoreDisk), (f, m) => new RestoreDiskRequest(
            f.Text("source", m?.Source),
            f.Text("destination", m?.Destination),
            f.OptionalBoolean("grow", m?.Grow)));
        foreach (var kind in MessageTypes.JobKinds)
        {
            yield return MessageShape.Request<CancelRequest>(
                MessageTypes.Cancel(kind),
                (f, m) => new CancelRequest(kind, f.Text("id", m?.Id)),
                cancel => cancel.Kind == kind);
        }

        yield return MessageShape.Request<DeleteCloneRequest>(MessageTypes.DeleteClone, (f, m) => new DeleteCloneRequest(
            f.Text("file", m?.File)));
        yield return MessageShape.Request<MountImageRequest>(MessageTypes.MountImage, (f, m) => new MountImageRequest(
            f.Text("source", m?.Source),
            f.OptionalText("part", m?.Part),
            f.OptionalText("mountpoint", m?.MountPoint)));
        yield return MessageShape.Request<UnmountImageRequest>(MessageTypes.UnmountImage, (f, m) => new UnmountImageRequest(
            f.Text("id", m?.Id)));
    }

    private static IEnumerable<MessageShape> EventShapes()
    {
        yield return MessageShape.Event<StatusEvent>(MessageTypes.Status, (f, m) => new StatusEvent(
            (CoreStatus)f.Choice("status", (int?)m?.Status, MessageTypes.Statuses),
            f.OptionalList("sources", m?.Sources, Source),
            f.OptionalTextList("compression_options", m?.CompressionOptions),
            f.OptionalProgressList("jobs", m?.Jobs),
            f.OptionalList("mounts", m?.Mounts, Mount)));
        foreach (var kind in MessageTypes.JobKinds)
        {
            yield return MessageShape.Event<JobProgress>(MessageTypes.Job(kind), (f, m) => Progress(f, m, kind), progress => progress.Kind == kind);
            yield return MessageShape.Event<JobFailed>(MessageTypes.Failed(kind), (f, m) => new JobFailed(
                    kind,
                    f.Text("id", m?.Id),
                    f.Text("source", m?.Source),
                    f.OptionalText("destination", m?.Destination),
                    f.Time("start", m?.Start),
                    f.Time("finish", m?.Finish),
                    f.Text("error", m?.Error)),
                failed => failed.Kind == kind);
        }

        yield return MessageShape.Event<CloneDeleted>(MessageTypes.DeletedClone, (f, m) => new CloneDeleted(
            f.Text("file", m?.File)));
        yield return MessageShape.Event<CloneDeleteFailed>(MessageTypes.DeleteCloneFailed, (f, m) => new CloneDeleteFailed(
            f.Text("file", m?.File),
            f.Text("error", m?.Error)));
        yield return MessageShape.Event<ImageMounted>(MessageTypes.MountedImage, (f, m) => new ImageMounted(
            f.Text("id", m?.Id),
            f.Text("source", m?.Source),
            f.Text("path", m?.Path),
            f.Text("fstype", m?.FsType)));
        yield return MessageShape.Event<ImageMountFailed>(MessageTypes.MountImageFailed, (f, m) => new ImageMountFailed(
            f.Text("source", m?.Source),
            f.Text("error", m?.Error)));
        yield return MessageShape.Event<ImageUnmounted>(MessageTypes.UnmountedImage, (f, m) => new ImageUnmounted(
            f.Text("id", m?.Id)));
        yield return MessageShape.Event<ImageUnmountFailed>(MessageTypes.UnmountImageFailed, (f, m) => new ImageUnmountFailed(
            f.Text("id", m?.Id),
            f.Text("error", m?.Error)));
        yield return MessageShape.Event<RequestError>(MessageTypes.Error, (f, m) => new RequestError(
            f.Text("error", m?.Error),
            f.OptionalText("request", m?.Request)));
    }

    private static JobProgress Progress(IFields f, JobProgress? m, JobKind kind) =>
        new(kind, f.Text("id", m?.Id), f.Text("source", m?.Source), f.OptionalText("destination", m?.Destination), f.Time("start", m?.Start))
        {
            Complete = f.Fraction("complete", m?.Complete),
            Syncing = f.Boolean("syncing", m?.Syncing),
            SourceUuid = f.OptionalText("source_uuid", m?.SourceUuid),
            Rate = f.OptionalText("rate", m?.Rate),
            EstimatedFinish = f.OptionalTime("estimated_finish", m?.EstimatedFinish),
            Finish = f.OptionalTime("finish", m?.Finish),
            ImageSize = f.OptionalInteger("image_size", m?.ImageSize),
            Part = f.OptionalText("part", m?.Part),
            Note = f.OptionalText("note", m?.Note),
        };

    private static ListedMount Mount(IFields f, ListedMount? m) =>
        new(f.Text("id", m?.Id), f.Text("source", m?.Source), f.Text("path", m?.Path));

    private static ListedSource Source(IFields f, ListedSource? m)
    {
        var name = f.Text("name", m?.Name);
        var size = f.Integer("size", m?.Size);
        var table = f.OptionalText("table", m?.Table);
        return new(name, size, f.List("parts", m?.Parts, Part), table);
    }

    // label before fstype, as the original core wrote them.
    private static ListedPart Part(IFields f, ListedPart? m)
    {
        var name = f.Text("name", m?.Name);
        var size = f.Integer("size", m?.Size);
        var mounted = f.Boolean("mounted", m?.Mounted);
        var label = f.OptionalText("label", m?.Label);
        return new(name, size, mounted, FsType: f.OptionalText("fstype", m?.FsType), Label: label, Uuid: f.OptionalText("uuid", m?.Uuid));
    }

    private static MessageShape ShapeOf(IEnumerable<MessageShape> shapes, object message) =>
        shapes.FirstOrDefault(shape => shape.Writes(message))
        ?? throw new ArgumentException($"The protocol has no message for {message.GetType().Name}.", nameof(message));

    private static Dictionary<string, MessageShape> ByType(Direction direction) =>
        All.Where(shape => shape.Direction == direction).ToDictionary(shape => shape.Type, StringComparer.Ordinal);
}
