using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Apart.Abstractions;

namespace Sample.Imager;

/// <summary>
/// Reads dd's <c>status=progress</c> lines (<c>12582912 bytes (13 MB, 12 MiB) copied, 1 s, 12.6 MB/s</c>,
/// redrawn with <c>\r</c>) as a fraction of <paramref name="total"/> bytes.
/// </summary>
public sealed partial class DdProgressParser(long total) : IProgressParser
{
    private readonly StringBuilder _line = new();
    private readonly Queue<string> _lastLines = new();

    public IReadOnlyList<string> LastLines => [.. _lastLines];

    public IReadOnlyList<ImagingProgress> Feed(ReadOnlySpan<char> text)
    {
        var updates = new List<ImagingProgress>();
        foreach (var c in text)
        {
            if (c is not ('\r' or '\n'))
            {
                _line.Append(c);
                continue;
            }

            var line = _line.ToString().Trim();
            _line.Clear();
            var match = Copied().Match(line);
            if (match.Success)
            {
                var bytes = long.Parse(match.Groups["bytes"].ValueSpan, CultureInfo.InvariantCulture);
                updates.Add(new ImagingProgress(Math.Min(1.0, (double)bytes / Math.Max(1, total)), null, match.Groups["speed"].Value));
            }
            else if (line.Length > 0)
            {
                _lastLines.Enqueue(line);
                if (_lastLines.Count > 8)
                {
                    _lastLines.Dequeue();
                }
            }
        }

        return updates;
    }

    [GeneratedRegex(@"^(?<bytes>\d+) bytes .* copied, [\d.]+ s, (?<speed>.+)$")]
    private static partial Regex Copied();
}
