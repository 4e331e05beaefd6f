using Spectre.Console;

namespace Apart.Cli.Output;

/// <summary>
/// Where <c>apart</c> writes: standard output for results, standard error for progress when the
/// result is JSON, for prompts and for errors. Each stream is drawn on with colours and redraws
/// only when it is a terminal; into a pipe or a CI log it gets plain text.
/// </summary>
internal sealed class Terminal
{
    // Wide enough that a table of devices with UUIDs never wraps in a log.
    private const int PlainWidth = 200;

    private Terminal(TextWriter output, TextWriter error, bool outputIsTerminal, bool errorIsTerminal)
    {
        OutputWriter = output;
        ErrorWriter = error;
        OutputIsTerminal = outputIsTerminal;
        ErrorIsTerminal = errorIsTerminal;
        Output = Create(output, outputIsTerminal);
        Error = Create(error, errorIsTerminal);
    }

    /// <summary>This process's standard output and error.</summary>
    public static Terminal Standard { get; } = new(
        Console.Out,
        Console.Error,
        !Console.IsOutputRedirected && !IsDumb(),
        !Console.IsErrorRedirected && !IsDumb());

    /// <summary>Standard output, for results.</summary>
    public IAnsiConsole Output { get; }

    /// <summary>Standard error, for prompts, notices and progress beside a JSON result.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Standard output as plain text (JSON goes here).</summary>
    public TextWriter OutputWriter { get; }

    /// <summary>Standard error as plain text.</summary>
    public TextWriter ErrorWriter { get; }

    /// <summary>Whether standard output is a terminal.</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>Whether standard error is a terminal.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>
    /// The progress display: on standard error when <paramref name="onStandardError"/> (the result
    /// goes to standard output as JSON), otherwise on standard output.
    /// </summary>
    public IProgressDisplay Progress(bool onStandardError) => (onStandardError ? ErrorIsTerminal : OutputIsTerminal)
        ? new TerminalProgressDisplay(onStandardError ? Error : Output, TimeProvider.System)
        : new PlainProgressDisplay(onStandardError ? ErrorWriter : OutputWriter, TimeProvider.System);

    /// <summary>A failure's one line on standard error: <c>apart: REASON</c>.</summary>
    public void Fail(string reason)
    {
        ErrorWriter.WriteLine("apart: " + OneLine(reason));
        ErrorWriter.Flush();
    }

    /// <summary>Makes any text one line: a failure's reason must fit a log line.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsDumb() => Environment.GetEnvironmentVariable("TERM") is "dumb";

    private static IAnsiConsole Create(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }
}
