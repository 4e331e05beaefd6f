using Apart.Abstractions;

namespace Apart.Imaging.Clonezilla;

/// <summary>Runs the short programs a disk's layout is read and written with (sfdisk, parted, sgdisk, b2sum, mkswap).</summary>
internal static class Tools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs a program to its end; its standard output. A failure throws with its own words.</summary>
    public static async Task<string> OutputAsync(
        string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null, string? workingDirectory = null, bool acceptFailure = false)
    {
        var result = await RunAsync(tool, arguments, cancellationToken, input, workingDirectory).ConfigureAwait(false);
        if (result.ExitCode != 0 && !acceptFailure)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with status {result.ExitCode}: {LastWords(result)}");
        }

        return result.StandardOutput;
    }

    /// <summary>Runs a program to its end, whatever its exit status.</summary>
    public static async Task<ProgramOutput> RunAsync(
        string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null, string? workingDirectory = null)
    {
        var program = Locate(tool);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        return await ShortProgram.RunAsync(new CommandLine(program, arguments), deadline.Token, input, workingDirectory, cLocale: true).ConfigureAwait(false);
    }

    /// <summary>A program's path, found as the host finds programs.</summary>
    public static string Locate(string tool) =>
        ProgramLocator.Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed (not found on PATH or in the sbin directories)");

    /// <summary>The last thing a program said: its error's last line, or its output's.</summary>
    public static string LastWords(ProgramOutput result) => result.LastWords();
}
