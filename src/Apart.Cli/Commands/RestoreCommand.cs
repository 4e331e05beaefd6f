using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart restore IMAGE DEVICE</c>: overwrites DEVICE with an image, after saying so plainly and
/// getting a yes (or <c>--yes</c>).
/// </summary>
internal sealed class RestoreCommand : SessionCommand<RestoreSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, RestoreSettings settings, CancellationToken interrupted)
    {
        var request = new RestoreRequest(Path.GetFullPath(settings.Image), DevicePath.Of(settings.Device), settings.Grow ? true : null);
        if (!File.Exists(request.Source))
        {
            Terminal.Fail($"restore failed: there is no image at {request.Source}");
            return ExitCodes.Failure;
        }

        return await RunAsync(session, request, JobKind.Restore, request.Source, request.Destination, Describe(session.Started, request.Destination), settings.Yes, settings.Json, interrupted).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a restore of either kind: the overwrite is confirmed unless <paramref name="yes"/>, then
    /// the job runs with progress and its end is told.
    /// </summary>
    internal static async Task<int> RunAsync(
        CoreSession session, Request request, JobKind kind, string image, string device, string described, bool yes, bool json, CancellationToken interrupted)
    {
        if (!yes && !await ConfirmAsync(image, described, device, interrupted).ConfigureAwait(false))
        {
            Terminal.Fail($"not restored: {device} was left as it was");
            return ExitCodes.Failure;
        }

        var outcome = await new JobRunner(session, Terminal.Progress(json), session.JobsInFlight)
            .RunAsync(request, kind, $"restore {Path.GetFileName(device)}", interrupted)
            .ConfigureAwait(false);
        return JobReport.Tell(
            Terminal,
            request,
            kind,
            outcome,
            json,
            final => $"Restored {image} to {device} in {JobReport.Took(final)}." + JobReport.NoteOf(final),
            $"{device} is unusable until an image is restored to it");
    }

    /// <summary><c>/dev/sdb1 (64 MiB, ext4 "data", mounted)</c>, as far as the core knows it.</summary>
    internal static string Describe(StatusEvent status, string device)
    {
        var part = (status.Sources ?? []).SelectMany(source => source.Parts).FirstOrDefault(p => p.DevicePath == device);
        if (part is null)
        {
            return device;
        }

        var facts = new List<string> { Bytes.Human(part.Size) };
        if (part.FsType is not null)
        {
            facts.Add(part.Label is null ? part.FsType : $"{part.FsType} \"{part.Label}\"");
        }

        if (part.Mounted)
        {
            facts.Add("mounted");
        }

        return $"{device} ({string.Join(", ", facts)})";
    }

    /// <summary>Says plainly what is overwritten with what, and asks; true only for a yes.</summary>
    internal static async Task<bool> ConfirmAsync(string image, string described, string device, CancellationToken interrupted)
    {
        var prompt = Terminal.ErrorWriter;
        await prompt.WriteLineAsync($"This overwrites {described} with the image {image}.").ConfigureAwait(false);
        await prompt.WriteLineAsync($"Everything now on {device} will be lost.").ConfigureAwait(false);
        await prompt.WriteAsync($"Overwrite {device}? [y/N] ").ConfigureAwait(false);
        await prompt.FlushAsync(interrupted).ConfigureAwait(false);

        // Console.In cannot be cancelled: the read is abandoned, not stopped, on Ctrl-C.
        var answer = await Task.Run(Console.In.ReadLine, CancellationToken.None).WaitAsync(interrupted).ConfigureAwait(false);
        if (answer is null || Console.IsInputRedirected)
        {
            // No one typed a newline on the terminal: end the prompt's line.
            await prompt.WriteLineAsync().ConfigureAwait(false);
        }

        return answer?.Trim().ToUpperInvariant() is "Y" or "YES";
    }
}
