using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Grows a restored filesystem to fill its larger device, with the filesystem's own tool: offline
/// where the tool can (ext2/3/4 after a forced check, NTFS), mounted for a moment where it must
/// (XFS and Btrfs grow only while mounted). The device is the host's loop device over the
/// restored bytes, which may be mounted.
/// </summary>
internal static class FilesystemGrowth
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Null when the filesystem grew; otherwise why it was left at its size.</summary>
    public static async ValueTask<string?> GrowAsync(string variant, DeviceExtent device, CancellationToken cancellationToken)
    {
        switch (variant)
        {
            case "ext2" or "ext3" or "ext4" or "ext4dev" or "extfs":
                // resize2fs refuses a filesystem not checked since it was last written.
                await RunAsync("e2fsck", ["-f", "-p", device.Path], cancellationToken, acceptedExitCodes: [0, 1]).ConfigureAwait(false);
                await RunAsync("resize2fs", [device.Path], cancellationToken).ConfigureAwait(false);
                return null;
            case "ntfs":
                await RunAsync("ntfsresize", ["--force", "--no-progress-bar", device.Path], cancellationToken, input: "y\n").ConfigureAwait(false);
                return null;
            case "xfs":
                await WhileMountedAsync(device, "xfs", mountpoint => RunAsync("xfs_growfs", [mountpoint], cancellationToken), cancellationToken).ConfigureAwait(false);
                return null;
            case "btrfs":
                await WhileMountedAsync(device, "btrfs", mountpoint => RunAsync("btrfs", ["filesystem", "resize", "max", mountpoint], cancellationToken), cancellationToken).ConfigureAwait(false);
                return null;
            case "f2fs":
                await RunAsync("resize.f2fs", [device.Path], cancellationToken).ConfigureAwait(false);
                return null;
            case FilesystemVariants.Raw:
                return "its image is the raw bytes of a smaller device, with no filesystem Apart knows how to grow";
            default:
                return $"{variant} filesystems cannot be grown by Apart";
        }
    }

    private static async Task WhileMountedAsync(DeviceExtent device, string type, Func<string, Task> grow, CancellationToken cancellationToken)
    {
        var mountpoint = Directory.CreateTempSubdirectory("apart-grow-").FullName;
        try
        {
            await RunAsync("mount", ["-t", type, device.Path, mountpoint], cancellationToken).ConfigureAwait(false);
            try
            {
                await grow(mountpoint).ConfigureAwait(false);
            }
            finally
            {
                // Unmounted whatever happened, even when the job is being cancelled.
                await RunAsync("umount", [mountpoint], CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(mountpoint);
        }
    }

    private static async Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, int[]? acceptedExitCodes = null, string? input = null)
    {
        var program = ProgramLocator.Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed, so the filesystem was left at its size");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ToolTimeout);
        var result = await ShortProgram.RunAsync(new CommandLine(program, arguments), deadline.Token, input, cLocale: true).ConfigureAwait(false);
        if (!(acceptedExitCodes ?? [0]).Contains(result.ExitCode))
        {
            throw new InvalidOperationException($"{tool} exited with status {result.ExitCode}: {result.LastWords()}");
        }
    }
}
