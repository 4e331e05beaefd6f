using System.Diagnostics;

namespace Apart.Testing;

/// <summary>Runs the system tools tests need (losetup, mkfs, mount): their output, or an exception with their error.</summary>
public static class Programs
{
    /// <summary>Runs a program to its end; its standard output. A non-zero exit fails with its standard error.</summary>
    public static string Run(string program, params string[] arguments) => RunAsync(program, arguments).GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
    }
}
