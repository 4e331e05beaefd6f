using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart restore-disk IMAGE_DIR DEVICE</c>: overwrites a whole disk with a disk image (its
/// partition table, boot areas and partitions), after saying so plainly and getting a yes (or
/// <c>--yes</c>).
/// </summary>
internal sealed class RestoreDiskCommand : SessionCommand<RestoreDiskSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, RestoreDiskSettings settings, CancellationToken interrupted)
    {
        var request = new RestoreDiskRequest(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Image)), DevicePath.Of(settings.Device), settings.Grow ? true : null);
        if (!Directory.Exists(request.Source))
        {
            Terminal.Fail($"restore-disk failed: there is no image directory at {request.Source}");
            return ExitCodes.Failure;
        }

        if (!settings.Yes && !await RestoreCommand.ConfirmAsync(request.Source, Describe(session.Started, request.Destination), request.Destination, interrupted).ConfigureAwait(false))
        {
            Terminal.Fail($"not restored: {request.Destination} was left as it was");
            return ExitCodes.Failure;
        }

        var outcome = await new JobRunner(session, Terminal.Progress(settings.Json), session.JobsInFlight)
            .RunAsync(request, JobKind.RestoreDisk, $"restore {Path.GetFileName(request.Destination)}", interrupted)
            .ConfigureAwait(false);
        return JobReport.Tell(
            Terminal,
            request,
            JobKind.RestoreDisk,
            outcome,
            settings.Json,
            final => $"Restored {request.Source} to {request.Destination} in {JobReport.Took(final)}." + JobReport.NoteOf(final),
            $"{request.Destination} is unusable until an image is restored to it");
    }

    /// <summary><c>/dev/sdc (2 GiB, gpt table: sdc1 vfat, sdc2 ext4 "home")</c>, as far as the core knows it.</summary>
    private static string Describe(StatusEvent status, string device)
    {
        var disk = (status.Sources ?? []).FirstOrDefault(source => source.DevicePath == device);
        if (disk is null)
        {
            return device;
        }

        var parts = disk.Parts.Where(part => part.Name != disk.Name || part.FsType is not null)
            .Select(part => part.FsType is null ? part.Name : part.Label is null ? $"{part.Name} {part.FsType}" : $"{part.Name} {part.FsType} \"{part.Label}\"")
            .ToList();
        var table = disk.Table is null ? "" : $", {disk.Table} table";
        return parts.Count == 0 ? $"{device} ({Bytes.Human(disk.Size)}{table}, blank)" : $"{device} ({Bytes.Human(disk.Size)}{table}: {string.Join(", ", parts)})";
    }
}
