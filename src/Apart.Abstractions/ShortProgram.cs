namespace Apart.Abstractions;

/// <summary>
/// Runs the short programs the host and plugins ask things of (lsblk, blkid, sfdisk, a codec's
/// <c>--version</c>, parted, b2sum) to their end and keeps what they print. Not for image data:
/// that flows between programs through the kernel, started by the host.
/// </summary>
/// <remarks>
/// Each program is started by <see cref="Spawn"/> and run by a thread of its own, which feeds its
/// input and reads its output as they become ready and learns of its end through a pidfd: no
/// thread-pool thread ever blocks on it. (System.Diagnostics.Process, used before, and the socket
/// engine its redirected pipes run on cost the core 9-16 ms of start-up and 3 MiB, measured
/// alternating, 30 starts each.)
/// </remarks>
public static class ShortProgram
{
    /// <summary>
    /// Runs <paramref name="command"/> and waits for it; its exit status and what it printed.
    /// Standard input is <paramref name="input"/>, or empty. Cancelling kills it (SIGKILL) and
    /// throws <see cref="OperationCanceledException"/> once it has been reaped, without waiting for
    /// whatever it may have started to close its output.
    /// </summary>
    /// <param name="command">The program (an absolute path, or a name looked up as <see cref="ProgramLocator.Find"/> does) and its arguments.</param>
    /// <param name="cancellationToken">Kills the program; a caller's deadline is a token that cancels itself.</param>
    /// <param name="input">Written to its standard input, which is then closed.</param>
    /// <param name="workingDirectory">Where it runs; the host's own directory when null.</param>
    /// <param name="cLocale">Run with <c>LC_ALL=C</c>, for output that is parsed or quoted in English.</param>
    /// <returns>Its exit status (128 + the signal's number when a signal ended it) and what it printed, read as UTF-8.</returns>
    /// <exception cref="InvalidOperationException">The program could not be started (the message says why).</exception>
    public static Task<ProgramOutput> RunAsync(
        CommandLine command, CancellationToken cancellationToken, string? input = null, string? workingDirectory = null, bool cLocale = false)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        var path = command.Program.Contains('/', StringComparison.Ordinal)
            ? Path.GetFullPath(command.Program)
            : ProgramLocator.Find(command.Program)
                ?? throw new InvalidOperationException($"Could not run {command.Program}: it is not on PATH or in the sbin directories");
        var run = new ShortProgramRun([path, .. command.Arguments], Spawn.Environment(cLocale), input, workingDirectory, cancellationToken);
        var thread = new Thread(run.Run, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "run " + Path.GetFileName(path),
        };
        thread.Start();
        return run.Completion;
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
