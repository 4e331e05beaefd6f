using System.Diagnostics;
using Apart.Protocol;
using Apart.Cli.Output;
using Apart.Cli.Session;
using Spectre.Console;

namespace Apart.Cli.Demo;

/// <summary>
/// The demo's steps: a small ext4 filesystem with sample files on a loop device, cloned with
/// progress, the image verified, restored to a second, blank loop device of the same size, both
/// mounted read-only and compared file by file, and a summary.
/// </summary>
internal sealed class DemoScenario(Terminal terminal, DemoWorkspace workspace, string compression, CancellationToken interrupted)
{
    /// <summary>Size of each loop device: small enough to be quick, large enough for ext4 and the samples.</summary>
    public const long DeviceSize = 96L << 20;

    /// <summary>The demo filesystem's label, and the image's name.</summary>
    public const string Label = "apart-demo";

    private const int Steps = 6;
    private readonly IAnsiConsole _out = terminal.Output;

    /// <summary>Runs every step; the exit status. The workspace is cleaned by its owner.</summary>
    /// <exception cref="OperationCanceledException">Ctrl-C between steps.</exception>
    /// <exception cref="DemoException">A step could not be done.</exception>
    /// <exception cref="CoreLostException">The core went away.</exception>
    public async Task<int> RunAsync()
    {
        Step(1, $"Making a {Bytes.Human(DeviceSize)} ext4 filesystem \"{Label}\" with sample files on a loop device");
        var source = await workspace.AttachLoopDeviceAsync("source.img", DeviceSize).ConfigureAwait(false);
        await SystemCommand.RunAsync("mkfs.ext4", "-q", "-F", "-L", Label, source).ConfigureAwait(false);
        var mountPoint = await workspace.MountAsync(source, readOnly: false).ConfigureAwait(false);
        SampleFiles.Write(mountPoint);
        var samples = FileTree.Read(mountPoint);
        await workspace.UnmountAsync(mountPoint).ConfigureAwait(false);
        var target = await workspace.AttachLoopDeviceAsync("target.img", DeviceSize).ConfigureAwait(false);
        Detail($"{source}: {samples.FileCount} files, {Bytes.Human(samples.FileBytes)}; {target}: blank, to restore to");
        interrupted.ThrowIfCancellationRequested();

        Step(2, "Starting apart-core, the cloning core, as any presenter does");
        var session = await CoreSession.StartAsync(interrupted).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var options = session.Started.CompressionOptions ?? [];
            if (!options.Contains(compression))
            {
                throw new DemoException($"this machine has no '{compression}' compression (it has: {string.Join(", ", options)})");
            }

            Detail($"compressions available: {string.Join(", ", options)}");
            return await RunJobsAsync(session, source, target).ConfigureAwait(false);
        }
    }

    private async Task<int> RunJobsAsync(CoreSession session, string source, string target)
    {
        var runner = new JobRunner(session, terminal.Progress(onStandardError: false));
        Step(3, $"Cloning {source} into a {compression} image");
        var clock = Stopwatch.StartNew();
        var clone = await runner.RunAsync(
            new CloneRequest(source, workspace.Folder("images"), Label, compression), JobKind.Clone, $"clone {Path.GetFileName(source)}", interrupted).ConfigureAwait(false);
        if (clone is not JobOutcome.Succeeded { Final: var cloned })
        {
            return Stopped(JobKind.Clone, clone);
        }

        var cloneTime = clock.Elapsed;
        var image = cloned.Destination!;
        Detail($"{image} ({Bytes.Human(cloned.ImageSize ?? 0)})");

        Step(4, "Verifying the image: read whole and checked by partclone.chkimg");
        clock.Restart();
        var verify = await runner.RunAsync(new VerifyRequest(image), JobKind.Verify, "verify image", interrupted).ConfigureAwait(false);
        if (verify is not JobOutcome.Succeeded)
        {
            return Stopped(JobKind.Verify, verify);
        }

        var verifyTime = clock.Elapsed;
        Step(5, $"Restoring the image to {target}");
        clock.Restart();
        var restore = await runner.RunAsync(
            new RestoreRequest(image, target), JobKind.Restore, $"restore {Path.GetFileName(target)}", interrupted).ConfigureAwait(false);
        if (restore is not JobOutcome.Succeeded)
        {
            return Stopped(JobKind.Restore, restore);
        }

        var restoreTime = clock.Elapsed;
        Step(6, $"Comparing every file of {source} and {target}: content (SHA-256), size, mode");
        var (original, used) = await ReadTreeAsync(source).ConfigureAwait(false);
        var (copy, _) = await ReadTreeAsync(target).ConfigureAwait(false);
        var differences = original.Differences(copy);
        if (differences.Count > 0)
        {
            terminal.Fail($"demo failed: the restored filesystem differs in {differences.Count} entries, first: {differences[0]}");
            return ExitCodes.Failure;
        }

        Detail($"all {original.Entries.Count} entries match");
        var summary = new DemoSummary(
            DeviceSize, used, original.FileCount, original.Entries.Count, image, cloned.ImageSize ?? 0, compression, cloneTime, verifyTime, restoreTime);
        WriteSummary(summary);
        return ExitCodes.Success;
    }

    private async Task<(FileTree Tree, long UsedBytes)> ReadTreeAsync(string device)
    {
        var mountPoint = await workspace.MountAsync(device, readOnly: true).ConfigureAwait(false);
        var tree = FileTree.Read(mountPoint);
        var drive = new DriveInfo(mountPoint);
        var used = drive.TotalSize - drive.TotalFreeSpace;
        await workspace.UnmountAsync(mountPoint).ConfigureAwait(false);
        return (tree, used);
    }

    private int Stopped(JobKind kind, JobOutcome outcome)
    {
        var job = MessageTypes.Job(kind);
        terminal.Fail(outcome switch
        {
            JobOutcome.Cancelled => $"demo interrupted during the {job}",
            JobOutcome.Failed failed => $"demo failed: {job} failed: {failed.Error}",
            _ => $"demo stopped during the {job}",
        });
        return outcome.ExitCode;
    }

    private void WriteSummary(DemoSummary summary)
    {
        _out.WriteLine();
        _out.MarkupLine("[bold]Summary[/]");
        var width = summary.Lines().Max(line => line.Label.Length);
        foreach (var (label, value) in summary.Lines())
        {
            _out.MarkupLineInterpolated($"  [bold]{label.PadRight(width)}[/]  {value}");
        }
    }

    private void Step(int number, string what) =>
        _out.MarkupLineInterpolated($"[bold blue][[{number}/{Steps}]][/] [bold]{what}[/]");

    private void Detail(string text) => _out.MarkupLineInterpolated($"      [grey]{text}[/]");
}
