using System.Text;

namespace Apart.Testing;

/// <summary>
/// The string literals of C# source, as text: regular, verbatim, interpolated and raw strings, with
/// comments and character literals skipped. Enough of C#'s lexer to tell what a program spells
/// from what its comments say; an interpolated string's holes are kept as written.
/// </summary>
public static class CSharpLiterals
{
    /// <summary>Each literal with the line it starts on.</summary>
    public static IReadOnlyList<(int Line, string Text)> In(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var found = new List<(int, string)>();
        var line = 1;
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '/' && At(source, i + 1, '/'))
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(source, i + 1, '*'))
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 2;
                line += Count(source, i, end);
                i = end;
            }
            else if (c == '\'')
            {
                i++;
                while (i < source.Length && source[i] != '\'')
                {
                    i += source[i] == '\\' ? 2 : 1;
                }

                i++;
            }
            else if (c == '"' || ((c is '@' or '$') && StringStartsAfterPrefix(source, i)))
            {
                var start = i;
                var verbatim = false;
                while (source[i] is '@' or '$')
                {
                    verbatim |= source[i] == '@';
                    i++;
                }

                var (text, end) = ReadString(source, i, verbatim);
                found.Add((line, text));
                line += Count(source, start, end);
                i = end;
            }
            else
            {
                i++;
            }
        }

        return found;
    }

    private static (string Text, int End) ReadString(string source, int quote, bool verbatim)
    {
        var quotes = 0;
        while (At(source, quote + quotes, '"'))
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            var delimiter = new string('"', quotes);
            var close = source.IndexOf(delimiter, quote + quotes, StringComparison.Ordinal);
            close = close < 0 ? source.Length : close;
            return (source[(quote + quotes)..close].Trim(), Math.Min(source.Length, close + quotes));
        }

        if (quotes == 2)
        {
            return ("", quote + 2);
        }

        var text = new StringBuilder();
        var i = quote + 1;
        while (i < source.Length)
        {
            var c = source[i];
            if (verbatim && c == '"' && At(source, i + 1, '"'))
            {
                text.Append('"');
                i += 2;
            }
            else if (c == '"')
            {
                return (text.ToString(), i + 1);
            }
            else if (!verbatim && c == '\\' && i + 1 < source.Length)
            {
                text.Append(source[i + 1] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', var other => other });
                i += 2;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }

        return (text.ToString(), i);
    }

    private static bool StringStartsAfterPrefix(string source, int i)
    {
        while (i < source.Length && source[i] is '@' or '$')
        {
            i++;
        }

        return At(source, i, '"');
    }

    private static bool At(string source, int i, char c) => i < source.Length && source[i] == c;

    private static int Count(string source, int from, int to)
    {
        var lines = 0;
        for (var i = from; i < to && i < source.Length; i++)
        {
            lines += source[i] == '\n' ? 1 : 0;
        }

        return lines;
    }
}
