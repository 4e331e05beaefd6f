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

        return await RestoreCommand.RunAsync(session, request, JobKind.RestoreDisk, request.Source, request.Destination, Describe(session.Started, request.Destination), settings.Yes, settings.Json, interrupted).ConfigureAwait(false);
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
