using System.Text;
using Apart.Abstractions.Protocol;
using Apart.Host.Protocol;

namespace Apart.Cli.Protocol;

/// <summary>
/// Writes the presenter's requests as YAML documents (PROTOCOL.md §3–8), with the core's own
/// writer: strings are plain only where every YAML loader reads them back unchanged, and
/// double-quoted otherwise, so a path with <c>": "</c> or a leading <c>*</c> arrives as it is.
/// </summary>
internal static class RequestEncoder
{
    /// <summary>The UTF-8 bytes of one request.</summary>
    public static byte[] Encode(Request request) => Encoding.UTF8.GetBytes(ToYaml(request));

    /// <summary>The YAML text of one request.</summary>
    public static string ToYaml(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var yaml = new YamlWriter().BeginMapping();
        switch (request)
        {
            case StatusRequest:
                yaml.Field("type", ProtocolNames.StatusRequest);
                break;
            case KillRequest:
                yaml.Field("type", ProtocolNames.KillRequest);
                break;
            case CloneRequest clone:
                yaml.Field("type", ProtocolNames.Clone)
                    .Field("source", clone.Source)
                    .Field("destination", clone.Destination)
                    .Field("name", clone.Name)
                    .Field("compression", clone.Compression);
                break;
            case RestoreRequest restore:
                yaml.Field("type", ProtocolNames.Restore)
                    .Field("source", restore.Source)
                    .Field("destination", restore.Destination);
                break;
            case VerifyRequest verify:
                yaml.Field("type", ProtocolNames.Verify).Field("source", verify.Source);
                break;
            case CancelRequest cancel:
                yaml.Field("type", ProtocolNames.Cancel(cancel.Kind)).Field("id", cancel.Id);
                break;
            case DeleteCloneRequest delete:
                yaml.Field("type", ProtocolNames.DeleteClone).Field("file", delete.File);
                break;
            default:
                throw new ArgumentException($"No encoding for {request.GetType().Name}", nameof(request));
        }

        return yaml.EndMapping().Finish();
    }
}
