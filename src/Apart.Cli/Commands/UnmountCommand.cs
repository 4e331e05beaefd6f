using System.Runtime.InteropServices;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart unmount PATH|ID</c>: with the service (<c>--connect</c>), asks it to unmount one of its
/// mounts, named by path or id as its status lists them. Without, finds the <c>apart mount</c> that
/// holds the mount (<see cref="MountRecords"/>), sends it SIGTERM, as Ctrl-C would, and waits until
/// it has unmounted and exited.
/// </summary>
internal sealed class UnmountCommand : SessionCommand<UnmountSettings>
{
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_exitPoll = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc/>
    protected override async Task<int?> RunWithoutCoreAsync(UnmountSettings settings, CancellationToken interrupted)
    {
        if (MountRecords.ForThisUser.Find(settings.Mount) is not { } held)
        {
            Terminal.Fail($"unmount failed: nothing 'apart mount' mounted is at {settings.Mount} (a mount in the apart-core service is unmounted with --connect)");
            return ExitCodes.Failure;
        }

        if (Tmds.Linux.LibC.kill(held.Pid, Tmds.Linux.LibC.SIGTERM) != 0)
        {
            Terminal.Fail($"unmount failed: cannot signal apart mount (pid {held.Pid}): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            return ExitCodes.Failure;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        timeout.CancelAfter(s_exitTimeout);
        try
        {
            // It is not our child, so nothing tells us when it ends (Process.WaitForExitAsync did
            // not, here): look, as often as a person would not notice.
            while (held.HolderRuns)
            {
                await Task.Delay(s_exitPoll, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!interrupted.IsCancellationRequested)
        {
            Terminal.Fail($"unmount failed: apart mount (pid {held.Pid}) did not end within {s_exitTimeout.TotalSeconds:0} s");
            return ExitCodes.Failure;
        }

        if (IsMountPoint(held.Path))
        {
            Terminal.Fail($"unmount failed: {held.Path} is still mounted (apart mount said why on its terminal)");
            return ExitCodes.Failure;
        }

        Terminal.OutputWriter.WriteLine($"Unmounted {held.Path}");
        return ExitCodes.Success;
    }

    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, UnmountSettings settings, CancellationToken interrupted)
    {
        var path = settings.Mount.StartsWith('/') ? ImageSourceSettings.Absolute(settings.Mount) : null;
        var mount = (session.Started.Mounts ?? []).FirstOrDefault(mount => mount.Id == settings.Mount || mount.Path == path);
        if (mount is null)
        {
            Terminal.Fail($"unmount failed: the apart-core service has no image mounted at {settings.Mount}");
            return ExitCodes.Failure;
        }

        try
        {
            await new ImageMountClient(session).UnmountAsync(mount.Id, interrupted).ConfigureAwait(false);
        }
        catch (MountRefusedException e)
        {
            Terminal.Fail($"unmount failed: {e.Message}");
            return ExitCodes.Failure;
        }

        Terminal.OutputWriter.WriteLine($"Unmounted {mount.Path}");
        return ExitCodes.Success;
    }

    /// <summary>Whether something is mounted at <paramref name="path"/>, by this process's mount table.</summary>
    internal static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } fields && Unescape(fields[4]) == path);

    // mountinfo writes space, tab, newline and backslash as octal escapes.
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
