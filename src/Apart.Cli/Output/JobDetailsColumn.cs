using Apart.Protocol;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Apart.Cli.Output;

/// <summary>
/// The progress bar's last words on the job: its rate and the time left by the core's
/// <c>estimated_finish</c> (counting down between messages), or <c>syncing…</c> while the core
/// flushes, or <c>cancelling…</c>.
/// </summary>
internal sealed class JobDetailsColumn(TimeProvider time) : ProgressColumn
{
    private volatile JobProgress? _latest;
    private volatile bool _cancelling;

    /// <summary>The latest progress message.</summary>
    public JobProgress? Latest
    {
        get => _latest;
        set => _latest = value;
    }

    /// <summary>Set once a cancel request was sent.</summary>
    public bool Cancelling
    {
        get => _cancelling;
        set => _cancelling = value;
    }

    /// <inheritdoc/>
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Markup(Describe(Latest, Cancelling, time.GetUtcNow()));

    /// <summary>The column's markup for a job's state at <paramref name="now"/>.</summary>
    public static string Describe(JobProgress? latest, bool cancelling, DateTimeOffset now)
    {
        if (cancelling)
        {
            return "[yellow]cancelling…[/]";
        }

        if (latest is null)
        {
            return "[grey]starting…[/]";
        }

        if (latest.Finish is not null)
        {
            return "[green]done[/]";
        }

        if (latest.Syncing)
        {
            return "[blue]syncing…[/]";
        }

        var rate = (latest.Part is { } part ? Markup.Escape(Path.GetFileName(part)) + "  " : "")
            + (latest.Rate is { } r ? Markup.Escape(r) : "[grey]measuring…[/]");
        return ProgressLine.Remaining(latest, now) is { } left
            ? $"{rate}  [grey]ETA[/] {ProgressLine.Duration(left)}"
            : rate;
    }
}
