using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary><c>apart clone SOURCE DIR</c>: images a partition into a new file in DIR, with progress.</summary>
internal sealed class CloneCommand : SessionCommand<CloneSettings>
{
    /// <inheritdoc/>
    protected override Task<int> RunAsync(CoreSession session, CloneSettings settings, CancellationToken interrupted)
    {
        var source = DevicePath.Of(settings.Source);
        var request = new CloneRequest(source, Path.GetFullPath(settings.Directory), settings.Name ?? DevicePath.DefaultImageName(source), settings.Compression);
        return RunAsync(session, request, JobKind.Clone, source, settings, interrupted);
    }

    /// <summary>
    /// Runs a clone of either kind: the compression is checked against what the core offers, then
    /// the job runs with progress and its end is told, the image and its size on success.
    /// </summary>
    internal static async Task<int> RunAsync(CoreSession session, Request request, JobKind kind, string source, CloneOptionsSettings settings, CancellationToken interrupted)
    {
        var options = session.Started.CompressionOptions ?? [];
        if (settings.Compression is { } codec && !options.Contains(codec))
        {
            Terminal.Fail($"unknown compression '{codec}': this machine offers {string.Join(", ", options)}");
            return ExitCodes.Usage;
        }

        var outcome = await new JobRunner(session, Terminal.Progress(settings.Json), session.JobsInFlight)
            .RunAsync(request, kind, $"clone {Path.GetFileName(source)}", interrupted)
            .ConfigureAwait(false);
        return JobReport.Tell(
            Terminal,
            request,
            kind,
            outcome,
            settings.Json,
            final => $"Image: {final.Destination}\nSize:  {Bytes.Human(final.ImageSize ?? 0)} ({final.ImageSize ?? 0} bytes), cloned in {JobReport.Took(final)}",
            "no image was kept");
    }
}
