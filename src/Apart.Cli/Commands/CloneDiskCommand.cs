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
    protected override async Task<int> RunAsync(CoreSession session, CloneDiskSettings settings, CancellationToken interrupted)
    {
        var options = session.Started.CompressionOptions ?? [];
        if (settings.Compression is { } codec && !options.Contains(codec))
        {
            Terminal.Fail($"unknown compression '{codec}': this machine offers {string.Join(", ", options)}");
            return ExitCodes.Usage;
        }

        var source = DevicePath.Of(settings.Source);
        var name = settings.Name ?? DevicePath.DefaultImageName(source);
        var request = new CloneDiskRequest(source, Path.GetFullPath(settings.Directory), name, settings.Compression);
        var outcome = await new JobRunner(session, Terminal.Progress(settings.Json), session.JobsInFlight)
            .RunAsync(request, JobKind.CloneDisk, $"clone {Path.GetFileName(source)}", interrupted)
            .ConfigureAwait(false);
        return JobReport.Tell(
            Terminal,
            request,
            JobKind.CloneDisk,
            outcome,
            settings.Json,
            final => $"Image: {final.Destination}\nSize:  {Bytes.Human(final.ImageSize ?? 0)} ({final.ImageSize ?? 0} bytes), cloned in {JobReport.Took(final)}",
            "no image was kept");
    }
}
