using Apart.Protocol;
using Apart.Cli.Output;
using Apart.Cli.Session;

namespace Apart.Cli.Commands;

/// <summary>How a job's end is told: JSON or a few lines for people, and one line on standard error when it did not succeed.</summary>
internal static class JobReport
{
    /// <summary>Reports <paramref name="outcome"/> and returns the exit status.</summary>
    /// <param name="success">What to tell a person about the success (not used with JSON).</param>
    /// <param name="afterCancel">What a cancel leaves behind, for the person.</param>
    public static int Tell(
        Terminal terminal,
        Request request,
        JobKind kind,
        JobOutcome outcome,
        bool json,
        Func<JobProgress, string> success,
        string afterCancel)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(outcome);
        if (json)
        {
            JsonResults.Write(terminal.OutputWriter, JsonResults.Job(request, kind, outcome));
        }

        var job = MessageTypes.Job(kind);
        switch (outcome)
        {
            case JobOutcome.Succeeded { Final: var final } when !json:
                terminal.OutputWriter.WriteLine(success(final));
                terminal.OutputWriter.Flush();
                break;
            case JobOutcome.Failed { Error: var error }:
                terminal.Fail($"{job} failed: {error}");
                break;
            case JobOutcome.Cancelled:
                terminal.Fail($"{job} cancelled: {afterCancel}");
                break;
        }

        return outcome.ExitCode;
    }

    /// <summary>The core's note on a success, on a line of its own; empty when it made none.</summary>
    public static string NoteOf(JobProgress final)
    {
        ArgumentNullException.ThrowIfNull(final);
        return final.Note is { } note ? $"\nNote: {note}" : "";
    }

    /// <summary><c>3 s</c>, <c>2 min 5 s</c>: how long a job took by the core's clock.</summary>
    public static string Took(JobProgress final)
    {
        ArgumentNullException.ThrowIfNull(final);
        var seconds = (long)Math.Max(0, ((final.Finish ?? final.Start) - final.Start).TotalSeconds);
        return seconds < 60 ? $"{seconds} s" : $"{seconds / 60} min {seconds % 60} s";
    }
}
