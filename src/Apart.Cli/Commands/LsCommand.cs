using Apart.Cli.Browsing;
using Apart.Cli.Output;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary><c>apart ls IMAGE [PATH]</c>: mounts the image, lists a directory in it like <c>ls -la</c>, and unmounts it.</summary>
internal sealed class LsCommand : SessionCommand<LsSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, LsSettings settings, CancellationToken interrupted)
    {
        var request = settings.Request();
        try
        {
            return await new ImageMountClient(session).WithMountAsync(request, mounted => Task.FromResult(List(mounted.Path, settings, request.Source)), interrupted)
                .ConfigureAwait(false);
        }
        catch (MountRefusedException e)
        {
            Terminal.Fail($"ls failed: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static int List(string root, LsSettings settings, string image)
    {
        IReadOnlyList<ListedEntry> entries;
        try
        {
            entries = ListedEntry.List(ImagePath.Resolve(root, settings.Path, followLast: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Terminal.Fail($"ls failed: {e.Message}");
            return ExitCodes.Failure;
        }

        if (settings.Json)
        {
            JsonResults.Write(Terminal.OutputWriter, new ListingJson(image, ImagePath.Shown(settings.Path), entries.Select(EntryJson.Of).ToList()));
        }
        else
        {
            foreach (var entry in entries)
            {
                Terminal.OutputWriter.WriteLine(entry.Line());
            }

            Terminal.OutputWriter.Flush();
        }

        return ExitCodes.Success;
    }
}
