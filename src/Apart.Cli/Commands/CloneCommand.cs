using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary><c>apart clone SOURCE DIR</c>: images a partition into a new file in DIR, with progress.</summary>
internal sealed class CloneCommand : SessionCommand<CloneSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, CloneSettings settings, CancellationToken interrupted)
    {
        var options = session.Started.CompressionOptions ?? [];
        if (settings.Compression is { } codec && !options.Contains(codec))
        {
            Terminal.Fail($"unknown compression '{codec}': this machine offers {string.Join(", ", options)}");
            return ExitCodes.Usage;
        }

        var source = DevicePath.Of(settings.Source);
        var name = settings.Name ?? DevicePath.DefaultImageName(source);
        var request = new CloneRequest(source, Path.GetFullPath(settings.Directory), name, settings.Compression);
        var outcome = await new JobRunner(session, Terminal.Progress(settings.Json), session.JobsInFlight)
            .RunAsync(request, JobKind.Clone, $"clone {Path.GetFileName(source)}", interrupted)
            .ConfigureAwait(false);
        return JobReport.Tell(
            Terminal,
            request,
            JobKind.Clone,
            outcome,
            settings.Json,
            final => $"Image: {final.Destination}\nSize:  {Bytes.Human(final.ImageSize ?? 0)} ({final.ImageSize ?? 0} bytes), cloned in {JobReport.Took(final)}",
            "no image was kept");
    }
}
