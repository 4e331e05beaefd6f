using CliWrap;
using CliWrap.Buffered;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>Runs the system tools the real-device tests need.</summary>
internal static class Shell
{
    /// <summary>Runs a program and returns its output; a non-zero exit fails with its error.</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await Cli.Wrap(program)
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.StandardError}");
    }
}
