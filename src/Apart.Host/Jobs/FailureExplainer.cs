using System.Text.RegularExpressions;

namespace Apart.Host.Jobs;

/// <summary>
/// Finds which program of a failed pipeline caused the failure and says why in a sentence a
/// person can act on, quoting the program's own last words.
/// </summary>
internal static partial class FailureExplainer
{
    /// <summary>strerror(ENOSPC), the words people know a full disk by.</summary>
    public const string NoSpace = "No space left on device";

    /// <summary>
    /// The reason a pipeline failed. The culprit is the first program that failed on its own:
    /// one killed by SIGPIPE or reporting a broken pipe only lost its reader, which failed first.
    /// </summary>
    /// <param name="result">The failed pipeline.</param>
    /// <param name="lastWords">Better last lines for a program than its raw stderr tail (an imager's, parsed by its plugin).</param>
    public static string Explain(PipelineResult result, Func<StageResult, IReadOnlyList<string>?>? lastWords = null)
    {
        var failed = result.Stages.Where(stage => !stage.Exit.Succeeded).ToList();
        if (failed.Count == 0)
        {
            return "The programs succeeded, but the job did not.";
        }

        var culprit = failed.FirstOrDefault(stage => !stage.Exit.BrokenPipe && !MentionsBrokenPipe(stage)) ?? failed[0];
        var lines = lastWords?.Invoke(culprit) ?? LastLines(culprit.StderrTail);
        var detail = Summarize(lines);
        var sentence = $"{culprit.Program} {culprit.Exit.Describe()}" + (detail.Length > 0 ? $": {detail}" : ".");
        return result.Stages.Any(stage => stage.StderrTail.Contains(NoSpace, StringComparison.Ordinal))
            ? $"{NoSpace}: {sentence}"
            : sentence;
    }

    /// <summary>The last non-empty lines of some output, escapes removed.</summary>
    public static IReadOnlyList<string> LastLines(string text, int count = 3) => TerminalEscape().Replace(text, "")
        .Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => new string(line.Where(c => !char.IsControl(c)).ToArray()))
        .Where(line => line.Length > 0)
        .TakeLast(count)
        .ToList();

    private static bool MentionsBrokenPipe(StageResult stage) =>
        stage.StderrTail.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase);

    // The most telling lines first: those that name an error; else the last one.
    private static string Summarize(IReadOnlyList<string> rawLines)
    {
        var lines = rawLines.Where(line => line.Length > 0).ToList();
        var telling = lines.Where(line =>
            line.Contains("error", StringComparison.OrdinalIgnoreCase)
            || line.Contains("fail", StringComparison.OrdinalIgnoreCase)
            || line.Contains(NoSpace, StringComparison.Ordinal)
            || line.Contains("mounted", StringComparison.OrdinalIgnoreCase)
            || line.Contains("corrupt", StringComparison.OrdinalIgnoreCase)
            || line.Contains("unexpected", StringComparison.OrdinalIgnoreCase)
            || line.Contains("bad sector", StringComparison.OrdinalIgnoreCase)
            || line.Contains("warning", StringComparison.OrdinalIgnoreCase)
            || line.Contains("smaller", StringComparison.OrdinalIgnoreCase)).ToList();
        var chosen = telling.Count > 0 ? telling : lines.TakeLast(1).ToList();
        var text = string.Join(" / ", chosen);
        return text.Length <= 400 ? text : text[..400] + "…";
    }

    // Cursor movements and colours (ESC [ … letter) that programs print for terminals.
    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex TerminalEscape();
}
