using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart clone-disk SOURCE DIR</c>: saves a whole disk (its partition table, boot areas and every
/// partition) as a new image directory in DIR, with progress.
/// </summary>
internal sealed class CloneDiskCommand : SessionCommand<CloneDiskSettings>
{
    /// <inheritdoc/>
    protected override Task<int> RunAsync(CoreSession session, CloneDiskSettings settings, CancellationToken interrupted)
    {
        var source = DevicePath.Of(settings.Source);
        var request = new CloneDiskRequest(source, Path.GetFullPath(settings.Directory), settings.Name ?? DevicePath.DefaultImageName(source), settings.Compression);
        return CloneCommand.RunAsync(session, request, JobKind.CloneDisk, source, settings, interrupted);
    }
}
