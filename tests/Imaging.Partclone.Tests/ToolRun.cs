using System.Diagnostics;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// Runs a command the way the host does: image stream on stdin or stdout, stderr read in the pieces
/// the pipe delivers and fed to a progress parser.
/// </summary>
internal sealed record ToolRun(int ExitCode, IReadOnlyList<ImagingProgress> Updates, string Stderr)
{
    public static Task<ToolRun> RunAsync(ImagingCommand imaging, Stream? input, Stream output) =>
        RunAsync(imaging.Command, input, output, imaging.Progress);

    public static async Task<ToolRun> RunAsync(CommandLine command, Stream? input, Stream output, IProgressParser parser)
    {
        var start = new ProcessStartInfo(command.Program)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // partclone translates its messages; the parser reads the untranslated ones.
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        var updates = new List<ImagingProgress>();
        var stderr = new System.Text.StringBuilder();
        var readErrors = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardError.ReadAsync(buffer)) > 0)
            {
                stderr.Append(buffer, 0, read);
                updates.AddRange(parser.Feed(buffer.AsSpan(0, read)));
            }
        });
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(output);
        var copyIn = input is null ? Task.CompletedTask : Task.Run(async () =>
        {
            try
            {
                await input.CopyToAsync(process.StandardInput.BaseStream);
            }
            catch (IOException)
            {
                // The program stopped reading; its exit code says why.
            }
            finally
            {
                process.StandardInput.Close();
            }
        });

        await Task.WhenAll(readErrors, copyOut, copyIn);
        await process.WaitForExitAsync();
        return new ToolRun(process.ExitCode, updates, stderr.ToString());
    }
}
