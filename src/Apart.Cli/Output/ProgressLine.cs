using System.Globalization;
using Apart.Protocol;

namespace Apart.Cli.Output;

/// <summary>
/// A progress message as one plain line, for logs and pipes:
/// <c>clone 42.5% 9.87GB/min ETA 00:01:10</c>, <c>clone-disk 12.0% sda2 1.2GB/min</c> (the partition at
/// work), <c>clone 99.9% syncing</c>, <c>clone 100.0% done</c>.
/// </summary>
internal static class ProgressLine
{
    /// <summary>The line for <paramref name="progress"/> as of <paramref name="now"/> (for the ETA).</summary>
    public static string Format(JobProgress progress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var line = $"{MessageTypes.Job(progress.Kind)} {Percent(progress.Complete)}";
        if (progress.Finish is not null)
        {
            return line + " done";
        }

        if (progress.Syncing)
        {
            return line + " syncing";
        }

        if (progress.Part is { } part)
        {
            line += " " + Path.GetFileName(part);
        }

        if (progress.Rate is { } rate)
        {
            line += " " + rate;
        }

        return Remaining(progress, now) is { } remaining ? $"{line} ETA {Duration(remaining)}" : line;
    }

    /// <summary><c>42.5%</c>: one decimal, rounded down so that only a finished job shows 100.0%.</summary>
    public static string Percent(double complete) =>
        (Math.Floor(Math.Clamp(complete, 0, 1) * 1000) / 10).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The time left by the core's estimate, never negative; null before there is one.</summary>
    public static TimeSpan? Remaining(JobProgress progress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress.EstimatedFinish is { } finish ? (finish > now ? finish - now : TimeSpan.Zero) : null;
    }

    /// <summary><c>00:01:10</c>; hours go past 24 rather than into days.</summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)Math.Ceiling(Math.Max(0, duration.TotalSeconds));
        return string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
    }
}
