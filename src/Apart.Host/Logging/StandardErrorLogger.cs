using System.Text;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Logging;

/// <summary>
/// The core's log: one line per message on standard error (standard output is never used for
/// anything but <c>--help</c>). Interactively, <c>HH:mm:ss.fff info: Category[event] message</c>;
/// under systemd (<c>JOURNAL_STREAM</c> set) the line starts with its syslog priority instead of a
/// time, which the journal adds itself: <c>&lt;6&gt;Category[event] message</c>. Line breaks inside a
/// message or an exception become spaces, so that every line is one message.
/// </summary>
internal sealed class StandardErrorLoggerProvider(bool journal, TimeProvider time) : ILoggerProvider
{
    private readonly Lock _write = new();
    private readonly Stream _stderr = Console.OpenStandardError();

    /// <summary>Whether lines are written for the journal.</summary>
    public bool Journal => journal;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new StandardErrorLogger(this, categoryName);

    /// <inheritdoc/>
    public void Dispose() => _stderr.Dispose();

    /// <summary>The line for one message, without its end.</summary>
    internal string Format(string category, LogLevel level, EventId eventId, string message, Exception? exception)
    {
        var line = new StringBuilder(128);
        if (journal)
        {
            line.Append('<').Append(SyslogPriority(level)).Append('>');
        }
        else
        {
            line.Append(time.GetLocalNow().ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture))
                .Append(ShortName(level)).Append(": ");
        }

        line.Append(category).Append('[').Append(eventId.Id).Append("] ");
        AppendOneLine(line, message);
        if (exception is not null)
        {
            line.Append(' ');
            AppendOneLine(line, exception.ToString());
        }

        return line.ToString();
    }

    internal void Write(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_write)
        {
            try
            {
                _stderr.Write(bytes);
            }
            catch (IOException)
            {
                // Nobody reads the log any more (a closed pipe): the core's work goes on.
            }
        }
    }

    private static void AppendOneLine(StringBuilder line, string text) =>
        line.Append(text.ReplaceLineEndings(" "));

    private static string ShortName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    // sd-daemon.h: <3> error, <4> warning, <6> info, <7> debug; critical is <2>.
    private static int SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };

    private sealed class StandardErrorLogger(StandardErrorLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(provider.Format(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
