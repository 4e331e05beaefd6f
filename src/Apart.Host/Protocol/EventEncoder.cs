using System.Text;
using Apart.Abstractions;
using Apart.Abstractions.Protocol;

namespace Apart.Host.Protocol;

/// <summary>Writes the core's messages as YAML documents (PROTOCOL.md §2–8).</summary>
internal static class EventEncoder
{
    /// <summary>The UTF-8 bytes of one message.</summary>
    public static byte[] Encode(CoreEvent message) => Encoding.UTF8.GetBytes(ToYaml(message));

    /// <summary>The YAML text of one message.</summary>
    public static string ToYaml(CoreEvent message)
    {
        var yaml = new YamlWriter().BeginMapping();
        switch (message)
        {
            case StatusEvent status:
                WriteStatus(yaml, status);
                break;
            case JobProgress progress:
                WriteProgress(yaml, progress);
                break;
            case JobFailed failed:
                yaml.Field("type", ProtocolNames.Failed(failed.Kind))
                    .Field("id", failed.Id)
                    .Field("source", failed.Source)
                    .Field("destination", failed.Destination)
                    .Field("start", failed.Start)
                    .Field("finish", failed.Finish)
                    .Field("error", failed.Error);
                break;
            case CloneDeleted deleted:
                yaml.Field("type", ProtocolNames.DeletedClone).Field("file", deleted.File);
                break;
            case CloneDeleteFailed deleteFailed:
                yaml.Field("type", ProtocolNames.DeleteCloneFailed)
                    .Field("file", deleteFailed.File)
                    .Field("error", deleteFailed.Error);
                break;
            case RequestError error:
                yaml.Field("type", ProtocolNames.Error)
                    .Field("error", error.Error)
                    .Field("request", error.Request);
                break;
            default:
                throw new ArgumentException($"No encoding for {message.GetType().Name}", nameof(message));
        }

        return yaml.EndMapping().Finish();
    }

    private static void WriteStatus(YamlWriter yaml, StatusEvent status)
    {
        yaml.Field("type", ProtocolNames.Status).Field("status", ProtocolNames.Of(status.Status));
        if (status.Sources is { } sources)
        {
            yaml.BeginList("sources");
            foreach (var source in sources)
            {
                WriteSource(yaml, source);
            }

            yaml.EndList();
        }

        if (status.CompressionOptions is { } options)
        {
            yaml.BeginList("compression_options", flow: true);
            foreach (var option in options)
            {
                yaml.Item(option);
            }

            yaml.EndList();
        }

        if (status.Jobs is { } jobs)
        {
            yaml.BeginList("jobs");
            foreach (var job in jobs)
            {
                WriteProgress(yaml.BeginMapping(), job);
                yaml.EndMapping();
            }

            yaml.EndList();
        }
    }

    private static void WriteSource(YamlWriter yaml, SourceDevice source)
    {
        yaml.BeginMapping().Field("name", source.Name).Field("size", source.Size).BeginList("parts");
        foreach (var part in source.Parts)
        {
            yaml.BeginMapping()
                .Field("name", part.Name)
                .Field("size", part.Size)
                .Field("mounted", part.Mounted)
                .Field("label", part.Label)
                .Field("fstype", part.FsType)
                .Field("uuid", part.Uuid)
                .EndMapping();
        }

        yaml.EndList().EndMapping();
    }

    private static void WriteProgress(YamlWriter yaml, JobProgress progress) =>
        yaml.Field("type", ProtocolNames.Job(progress.Kind))
            .Field("id", progress.Id)
            .Field("source", progress.Source)
            .Field("destination", progress.Destination)
            .Field("start", progress.Start)
            .Fraction("complete", progress.Complete)
            .Field("syncing", progress.Syncing)
            .Field("source_uuid", progress.SourceUuid)
            .Field("rate", progress.Rate)
            .Field("estimated_finish", progress.EstimatedFinish)
            .Field("finish", progress.Finish)
            .Field("image_size", progress.ImageSize);
}
