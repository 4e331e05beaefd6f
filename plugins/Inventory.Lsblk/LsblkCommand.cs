using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// Runs lsblk (or the stand-in named by <c>APART_LSBLK_CMD</c>) as <c>PROGRAM -Jbo COLUMNS</c> and
/// returns its JSON. A failure is an exception whose message a person can act on.
/// </summary>
internal sealed class LsblkCommand(string program, TimeSpan timeout, ILogger logger)
{
    /// <summary>What the inventory asks for; util-linux 2.37 or later knows all of them.</summary>
    public const string Columns = "NAME,PATH,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT,MOUNTPOINTS,PTTYPE,START";

    /// <summary>The same without PATH (2.33) and MOUNTPOINTS (2.37), for an older lsblk.</summary>
    public const string LegacyColumns = "NAME,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT";

    /// <summary>lsblk answers in milliseconds; this only bounds a hung one.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // An older lsblk refuses the whole column list; once seen, ask it only for what it knows.
    private volatile string _columns = Columns;

    public string Program => program;

    public async Task<string> ReadAsync(CancellationToken cancellationToken = default)
    {
        var columns = _columns;
        var result = await RunAsync(columns, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && columns == Columns && MentionsNewColumn(result.StandardError))
        {
            Log.LegacyLsblk(logger, program, LegacyColumns);
            _columns = columns = LegacyColumns;
            result = await RunAsync(columns, cancellationToken).ConfigureAwait(false);
        }

        if (result.ExitCode != 0)
        {
            var error = result.StandardError.Trim();
            throw new InvalidOperationException(
                $"{program} -Jbo {columns} failed with exit code {result.ExitCode}: {(error.Length > 0 ? error : "it printed no error")}");
        }

        return result.StandardOutput;
    }

    private async Task<ProgramOutput> RunAsync(string columns, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await ShortProgram.RunAsync(new CommandLine(program, ["-Jbo", columns]), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{program} -Jbo {columns} did not finish within {timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"Could not run {program} to list the block devices: {e.Message}", e);
        }
    }

    // lsblk says "unknown column: MOUNTPOINTS" in the user's language; the column's name is not translated.
    private static bool MentionsNewColumn(string error) =>
        error.Contains("MOUNTPOINTS", StringComparison.Ordinal) || error.Contains("PATH", StringComparison.Ordinal)
        || error.Contains("PTTYPE", StringComparison.Ordinal) || error.Contains("START", StringComparison.Ordinal);
}
