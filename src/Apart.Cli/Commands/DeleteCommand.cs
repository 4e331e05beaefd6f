using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary><c>apart delete IMAGE</c>: removes an image file (the core refuses any other file).</summary>
internal sealed class DeleteCommand : SessionCommand<DeleteSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, DeleteSettings settings, CancellationToken interrupted)
    {
        var file = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Image));
        await session.SendAsync(new DeleteCloneRequest(file), interrupted).ConfigureAwait(false);
        while (true)
        {
            switch (await session.ReceiveAsync(interrupted).ConfigureAwait(false))
            {
                case CloneDeleted deleted when deleted.File == file:
                    Terminal.OutputWriter.WriteLine($"Deleted {file}");
                    return ExitCodes.Success;
                case CloneDeleteFailed failed when failed.File == file:
                    Terminal.Fail($"delete failed: {failed.Error}");
                    return ExitCodes.Failure;
                case RequestError error when error.Request is MessageTypes.DeleteClone or null:
                    Terminal.Fail($"delete failed: {error.Error}");
                    return ExitCodes.Failure;
            }
        }
    }
}
