using Apart.Cli.Browsing;
using Apart.Cli.Session;
using Apart.Protocol;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart cp IMAGE PATH DEST</c>: mounts the image, copies a file or directory out of it
/// (<see cref="TreeCopier"/>), and unmounts it. DEST is a new name, or an existing directory to
/// copy into; nothing that exists is overwritten, and that is checked before the image is opened.
/// </summary>
internal sealed class CpCommand : SessionCommand<CpSettings>
{
    /// <inheritdoc/>
    protected override async Task<int> RunAsync(CoreSession session, CpSettings settings, CancellationToken interrupted)
    {
        if (Target(settings) is not { } target)
        {
            return ExitCodes.Failure;
        }

        var request = settings.Request();
        try
        {
            return await new ImageMountClient(session).WithMountAsync(request, mounted => Task.FromResult(Copy(mounted.Path, settings, target, interrupted)), interrupted)
                .ConfigureAwait(false);
        }
        catch (MountRefusedException e)
        {
            Terminal.Fail($"cp failed: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    // DEST itself, or DEST/NAME when DEST is a directory; null (said why) when that exists already.
    private static string? Target(CpSettings settings)
    {
        var destination = ImageSourceSettings.Absolute(settings.Destination);
        var name = Path.GetFileName(ImagePath.Shown(settings.Path));
        var target = Directory.Exists(destination) && name.Length > 0 ? Path.Join(destination, name) : destination;
        if (File.Exists(target) || Directory.Exists(target) || new FileInfo(target).LinkTarget is not null)
        {
            Terminal.Fail($"cp failed: {target} exists already: apart cp never overwrites");
            return null;
        }

        return target;
    }

    private static int Copy(string root, CpSettings settings, string target, CancellationToken interrupted)
    {
        var shown = ImagePath.Shown(settings.Path);
        var copier = new TreeCopier(problem => Terminal.Fail($"cp: {problem}"));
        try
        {
            copier.Copy(ImagePath.Resolve(root, settings.Path, followLast: false), target, shown, interrupted);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Terminal.Fail($"cp failed: {e.Message}");
            return ExitCodes.Failure;
        }

        var copied = $"{copier.Files} file{(copier.Files == 1 ? "" : "s")}, {Bytes.Human(copier.Bytes)}";
        if (copier.Failed > 0)
        {
            Terminal.Fail($"cp failed: copied {shown} to {target} but for {copier.Failed} that could not be read ({copied} copied)");
            return ExitCodes.Failure;
        }

        Terminal.OutputWriter.WriteLine($"Copied {shown} to {target} ({copied})");
        return ExitCodes.Success;
    }
}
