using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary><c>apart verify IMAGE</c>: reads an image whole and checks it.</summary>
internal sealed class VerifyCommand : SessionCommand<VerifySettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, VerifySettings settings, CancellationToken interrupted)
    {
        var request = new VerifyRequest(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Image)));
        var outcome = await new JobRunner(session, Terminal.Progress(settings.Json), session.JobsInFlight)
            .RunAsync(request, JobKind.Verify, $"verify {Path.GetFileName(request.Source)}", interrupted)
            .ConfigureAwait(false);
        return JobReport.Tell(
            Terminal,
            request,
            JobKind.Verify,
            outcome,
            settings.Json,
            final => $"Verified: {request.Source} reads back whole and checks out ({JobReport.Took(final)}).",
            "the image was not changed");
    }
}
