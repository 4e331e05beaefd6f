using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Apart.Abstractions;

/// <summary>
/// Runs the short programs the host and plugins ask things of (lsblk, blkid, sfdisk, a codec's
/// <c>--version</c>, parted, b2sum) to their end and keeps what they print. Not for image data:
/// that flows between programs through the kernel, started by the host.
/// </summary>
public static class ShortProgram
{
    /// <summary>
    /// Runs <paramref name="command"/> and waits for it; its exit status and what it printed.
    /// Standard input is <paramref name="input"/>, or empty. Cancelling kills it (SIGKILL) and
    /// throws <see cref="OperationCanceledException"/> once it has been reaped, without waiting for
    /// whatever it may have started to close its output.
    /// </summary>
    /// <param name="command">The program (an absolute path, or a name looked up on PATH) and its arguments.</param>
    /// <param name="cancellationToken">Kills the program; a caller's deadline is a token that cancels itself.</param>
    /// <param name="input">Written to its standard input, which is then closed.</param>
    /// <param name="workingDirectory">Where it runs; the host's own directory when null.</param>
    /// <param name="cLocale">Run with <c>LC_ALL=C</c>, for output that is parsed or quoted in English.</param>
    /// <exception cref="InvalidOperationException">The program could not be started (the message says why).</exception>
    public static async Task<ProgramOutput> RunAsync(
        CommandLine command, CancellationToken cancellationToken, string? input = null, string? workingDirectory = null, bool cLocale = false)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo(command.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (cLocale)
        {
            start.Environment["LC_ALL"] = "C";
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run {command.Program}: {e.Message}", e);
        }

        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await WriteInputAsync(process.StandardInput, input).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            Forget(output);
            Forget(error);
            throw;
        }

        return new ProgramOutput(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static async Task WriteInputAsync(StreamWriter stdin, string? input)
    {
        try
        {
            if (input is not null)
            {
                await stdin.WriteAsync(input).ConfigureAwait(false);
            }

            stdin.Close();
        }
        catch (IOException)
        {
            // It did not read all it was given (it exited): its exit status says how it went.
        }
    }

    // The reads end when the last holder of the pipe closes it; nobody waits for them any more.
    private static void Forget(Task<string> read) =>
        read.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    // Only the program itself: Process.Kill(entireProcessTree: true) was seen to hang here, and
    // the programs run this way start none of their own.
    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }
}

/// <summary>What a short program did.</summary>
/// <param name="ExitCode">Its exit status.</param>
/// <param name="StandardOutput">What it printed on standard output.</param>
/// <param name="StandardError">What it printed on standard error.</param>
public sealed record ProgramOutput(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The last thing it said, for an error message: its error's last line, or else its output's.</summary>
    public string LastWords()
    {
        var words = StandardError.Trim().Length > 0 ? StandardError : StandardOutput;
        return words.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "it printed nothing";
    }
}
