using Apart.Cli.Output;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart mount IMAGE [DIR]</c>: mounts an image read-only and prints where its files are. With
/// a core of its own the mount lives as long as the command: until Ctrl-C (or SIGTERM, which
/// <c>apart unmount PATH</c> sends it from another terminal), then it unmounts and exits. With the
/// service (<c>--connect</c>) the mount lives in the service and the command returns at once: the
/// service serves one presenter at a time, so holding the connection would shut out every other
/// (<c>apart unmount</c> included).
/// </summary>
internal sealed class MountCommand : SessionCommand<MountSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, MountSettings settings, CancellationToken interrupted)
    {
        var request = settings.Request(settings.Directory);
        var client = new ImageMountClient(session);
        Protocol.ImageMounted mounted;
        try
        {
            mounted = await client.MountAsync(request, interrupted).ConfigureAwait(false);
        }
        catch (MountRefusedException e)
        {
            Terminal.Fail($"mount failed: {e.Message}");
            return ExitCodes.Failure;
        }

        if (settings.Json)
        {
            JsonResults.Write(Terminal.OutputWriter, new MountJson(mounted.Id, mounted.Source, mounted.Path, mounted.FsType));
        }
        else
        {
            Terminal.OutputWriter.WriteLine(mounted.Path);
            Terminal.OutputWriter.Flush();
        }

        if (session.IsService)
        {
            Notice($"mounted {mounted.Source} ({mounted.FsType}, read-only) in the apart-core service; 'apart unmount {mounted.Path}' unmounts it");
            return ExitCodes.Success;
        }

        Notice($"mounted {mounted.Source} ({mounted.FsType}, read-only); Ctrl-C or 'apart unmount {mounted.Path}' unmounts it");
        using (MountRecords.ForThisUser.Record(mounted.Id, mounted.Path, mounted.Source))
        {
            try
            {
                // Until interrupted; the core going away ends it too (CoreLostException).
                while (true)
                {
                    await session.ReceiveAsync(interrupted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
            }

            using var unmounting = new CancellationTokenSource(ImageMountClient.UnmountTimeout);
            try
            {
                await client.UnmountAsync(mounted.Id, unmounting.Token).ConfigureAwait(false);
            }
            catch (MountRefusedException e)
            {
                Terminal.Fail($"unmount failed: {e.Message} (apart-core detaches it lazily as it ends)");
                return ExitCodes.Failure;
            }
        }

        Notice($"unmounted {mounted.Path}");
        return ExitCodes.Success;
    }

    private static void Notice(string text)
    {
        Terminal.ErrorWriter.WriteLine("apart: " + text);
        Terminal.ErrorWriter.Flush();
    }
}
