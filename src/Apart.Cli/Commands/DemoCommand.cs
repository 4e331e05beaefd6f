using Apart.Cli.Demo;
using Apart.Cli.Output;
using Apart.Cli.Session;
using Spectre.Console;
using Spectre.Console.Cli;
using Tmds.Linux;

namespace Apart.Cli.Commands;

/// <summary>
/// <c>apart demo</c>: the whole job in one command, on scratch loop devices, and everything it made
/// removed afterwards — after a failure and after Ctrl-C too.
/// </summary>
internal sealed class DemoCommand : AsyncCommand<DemoSettings>
{
    /// <inheritdoc/>
    public override async Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var terminal = Terminal.Standard;
        if (LibC.geteuid() != 0)
        {
            terminal.Fail("apart demo needs root: it attaches loop devices, makes a filesystem and mounts it. Run it as root (./demo.sh does so through sudo).");
            return ExitCodes.Failure;
        }

        terminal.Output.MarkupLine("[bold]apart demo[/]: a small filesystem is cloned to an image, verified, restored to a second device and compared file by file; then everything is removed.");
        terminal.Output.WriteLine();
        string made;
        int exitCode;
        try
        {
            var workspace = DemoWorkspace.Create(terminal.ErrorWriter);
            await using (workspace.ConfigureAwait(false))
            {
                try
                {
                    exitCode = await new DemoScenario(terminal, workspace, settings.Compression, cancellationToken).RunAsync().ConfigureAwait(false);
                }
                finally
                {
                    made = string.Join(", ", workspace.LoopDevices.Append(workspace.Directory));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            terminal.Fail("demo interrupted; everything it made has been removed");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is DemoException or CoreLostException or CoreMessageException)
        {
            terminal.Fail("demo failed: " + e.Message);
            return ExitCodes.Failure;
        }

        terminal.Output.WriteLine();
        terminal.Output.MarkupLineInterpolated($"[grey]Removed {made}.[/]");
        return exitCode;
    }
}
