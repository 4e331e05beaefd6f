using System.Globalization;
using System.Text.RegularExpressions;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// partclone's text progress line (src/progress.c), in each form it takes:
/// <c>Elapsed: 00:00:02, Remaining: 00:01:39, Completed:   1.00%, Rate: 921.38MB/min,</c>, the same
/// with the rate unlabelled (<c>Completed:  46.40%, 157.29MB/min,</c>, partclone 0.3.x), with no
/// rate (<c>Completed: 100.00%</c>, <c>Completed:  99.99%, Seeking...,</c>). Hours have at least two
/// digits; partclone formats them with <c>%H</c>, so they wrap after a day.
/// </summary>
internal static partial class PartcloneProgressLine
{
    /// <summary>Whether a line is one of partclone's progress displays rather than a message.</summary>
    public static bool IsProgressText(ReadOnlySpan<char> line) =>
        line.Contains("Elapsed:", StringComparison.Ordinal)
        || line.Contains("Remaining:", StringComparison.Ordinal)
        || line.StartsWith("current block:", StringComparison.Ordinal);

    /// <summary>
    /// Whether a line still being written already holds a whole update: partclone ends every
    /// update that carries a rate with <c>/min,</c>.
    /// </summary>
    public static bool EndsUpdate(ReadOnlySpan<char> pending) =>
        pending.TrimEnd().EndsWith("/min,", StringComparison.Ordinal);

    /// <summary>
    /// Reads an update from a line; false when the line is not one, or is partclone's placeholder
    /// shown before anything was copied (<c>Remaining: 00:01:39, Completed: 1.00%, 0.00byte/min</c>):
    /// its percentage and estimate are made up, and passing them on shows people a wrong ETA.
    /// </summary>
    public static bool TryParse(string line, out ImagingProgress progress)
    {
        var match = Pattern().Match(line);
        if (!match.Success || IsPlaceholder(match))
        {
            progress = default;
            return false;
        }

        // In decimal, so that 37.12% becomes the double nearest 0.3712 and is written as such,
        // not as 0.37120000000000003.
        var percent = decimal.Parse(match.Groups["percent"].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var rate = match.Groups["speed"];
        progress = new ImagingProgress(
            (double)Math.Clamp(percent / 100, 0m, 1m),
            ReadRemaining(match),
            rate.Success ? rate.Value : null);
        return true;
    }

    private static bool IsPlaceholder(Match match) =>
        match.Groups["speed"] is { Success: true } rate
        && decimal.TryParse(rate.ValueSpan.TrimEnd("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
        && value == 0;

    private static TimeSpan? ReadRemaining(Match match)
    {
        // More hours than a TimeSpan holds is not an estimate worth passing on.
        if (!int.TryParse(match.Groups["hours"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || hours > (int)TimeSpan.MaxValue.TotalHours)
        {
            return null;
        }

        var minutes = int.Parse(match.Groups["minutes"].ValueSpan, CultureInfo.InvariantCulture);
        var seconds = int.Parse(match.Groups["seconds"].ValueSpan, CultureInfo.InvariantCulture);
        return new TimeSpan(hours, minutes, seconds);
    }

    [GeneratedRegex(
        @"Remaining:\s*(?<hours>[0-9]+):(?<minutes>[0-9]{2}):(?<seconds>[0-9]{2}),\s*Completed:\s*(?<percent>[0-9]{1,3}(?:\.[0-9]+)?)%(?:,\s*(?:Rate:\s*)?(?<speed>[0-9]+(?:\.[0-9]+)?[A-Za-z]+/min))?",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Pattern();
}
