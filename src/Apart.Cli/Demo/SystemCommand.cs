using System.ComponentModel;
using CliWrap;
using CliWrap.Buffered;
using CliWrap.Exceptions;

namespace Apart.Cli.Demo;

/// <summary>
/// Runs a system program (losetup, mkfs.ext4, mount…) with an argument vector, never through a
/// shell, to completion: a step half done is worse than a step a moment late, so it is not
/// cancelled; the demo checks for Ctrl-C between steps.
/// </summary>
internal static class SystemCommand
{
    /// <summary>Runs the program; its standard output, trimmed.</summary>
    /// <exception cref="DemoException">It is missing or exited non-zero; its last words say why.</exception>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        BufferedCommandResult result;
        try
        {
            result = await CliWrap.Cli.Wrap(program)
                .WithArguments(arguments)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is Win32Exception or CommandExecutionException)
        {
            throw new DemoException($"{program} could not be run ({e.Message}); is it installed?", e);
        }

        if (result.ExitCode != 0)
        {
            var why = LastLine(result.StandardError) ?? LastLine(result.StandardOutput) ?? $"exit status {result.ExitCode}";
            throw new DemoException($"{program} {string.Join(' ', arguments)} failed: {why}");
        }

        return result.StandardOutput.Trim();
    }

    /// <summary>Runs the program and tells whether it succeeded, for clean-up that must go on regardless.</summary>
    public static async Task<string?> TryRunAsync(string program, params string[] arguments)
    {
        try
        {
            await RunAsync(program, arguments).ConfigureAwait(false);
            return null;
        }
        catch (DemoException e)
        {
            return e.Message;
        }
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
