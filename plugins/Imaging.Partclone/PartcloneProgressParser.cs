using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Reads one partclone run's standard error. partclone first shows a progress run while it
/// calculates the bitmap, ending at 100%, and only then the copy's; as in the original core,
/// progress counts only after the <c>File system:</c> line that separates the two.
/// </summary>
public sealed class PartcloneProgressParser : IProgressParser
{
    /// <summary>Longest line kept. partclone's lines are under 100 characters: only runaway output is cut.</summary>
    public const int MaxLineLength = 1024;

    /// <summary>How many lines <see cref="LastLines"/> keeps.</summary>
    public const int LastLineCount = 12;

    private const string CopyStartMarker = "File system:";
    private const string InUseMarker = "Space in use:";
    private const string BlockSizeMarker = "Block size:";

    private readonly TerminalLineReader _reader = new(MaxLineLength);
    private readonly Queue<string> _lastLines = new(LastLineCount);
    private bool _copying;

    // The line being written was already reported as an update; its end must not report it again.
    private bool _pendingReported;

    // partclone's account of the data it copies: blocks in use, then the block size.
    private long? _blocksInUse;
    private long? _dataBytes;

    /// <inheritdoc/>
    public IReadOnlyList<ImagingProgress> Feed(ReadOnlySpan<char> text)
    {
        List<ImagingProgress>? updates = null;
        foreach (var c in text)
        {
            if (_reader.Push(c))
            {
                EndLine(ref updates);
            }
        }

        // An update is reported as soon as it is whole rather than when the next one begins:
        // partclone builds that end a progress line only by redrawing it would otherwise always
        // be one update late.
        if (_copying && !_pendingReported && PartcloneProgressLine.EndsUpdate(_reader.Pending)
            && PartcloneProgressLine.TryParse(_reader.Pending.Trim().ToString(), out var progress))
        {
            (updates ??= []).Add(progress with { DataBytes = _dataBytes });
            _pendingReported = true;
        }

        return (IReadOnlyList<ImagingProgress>?)updates ?? [];
    }

    /// <summary>
    /// The last <see cref="LastLineCount"/> non-empty lines that are not progress, escapes removed
    /// and trimmed, including a last line not yet ended: partclone's own words on why it failed
    /// (<c>device (/dev/sdb1) is mounted at /mnt</c>, <c>error exit</c>, <c>No space left on device</c>).
    /// partclone frames warnings in a box of asterisks over several lines: the words are kept, and
    /// of a boxed line only its first sentence (the rest continues on lines not quoted).
    /// </summary>
    public IReadOnlyList<string> LastLines
    {
        get
        {
            var lines = new List<string>(_lastLines);
            var pending = _reader.Pending.Trim();
            if (!pending.IsEmpty && !PartcloneProgressLine.IsProgressText(pending))
            {
                lines.Add(pending.ToString());
                if (lines.Count > LastLineCount)
                {
                    lines.RemoveAt(0);
                }
            }

            return lines.Select(Unboxed).Where(line => line.Length > 0).ToList();
        }
    }

    private static string Unboxed(string line)
    {
        var boxed = line.StartsWith('*');
        var text = line.Trim().Trim('*').Trim();
        var sentenceEnd = text.IndexOf(". ", StringComparison.Ordinal);
        return boxed && sentenceEnd > 0 ? text[..(sentenceEnd + 1)] : text;
    }

    private void EndLine(ref List<ImagingProgress>? updates)
    {
        var line = _reader.Pending.Trim();
        var reported = _pendingReported;
        _pendingReported = false;

        if (PartcloneProgressLine.IsProgressText(line))
        {
            if (_copying && !reported && PartcloneProgressLine.TryParse(line.ToString(), out var progress))
            {
                (updates ??= []).Add(progress with { DataBytes = _dataBytes });
            }
        }
        else if (!line.IsEmpty)
        {
            _copying |= line.StartsWith(CopyStartMarker, StringComparison.Ordinal);
            ReadDataSize(line);
            Remember(line.ToString());
        }

        _reader.Clear();
    }

    // "Space in use:  16.5 MB = 16137 Blocks" then "Block size:   1024 Byte".
    private void ReadDataSize(ReadOnlySpan<char> line)
    {
        if (line.StartsWith(InUseMarker, StringComparison.Ordinal))
        {
            var equals = line.IndexOf('=');
            var count = equals < 0 ? [] : line[(equals + 1)..].Trim();
            var end = count.IndexOf(' ');
            _blocksInUse = long.TryParse(end < 0 ? count : count[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var blocks) ? blocks : null;
        }
        else if (line.StartsWith(BlockSizeMarker, StringComparison.Ordinal) && _blocksInUse is { } blocks)
        {
            var size = line[BlockSizeMarker.Length..].Trim();
            var end = size.IndexOf(' ');
            if (long.TryParse(end < 0 ? size : size[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var blockSize))
            {
                _dataBytes = blocks * blockSize;
            }
        }
    }

    private void Remember(string line)
    {
        if (_lastLines.Count == LastLineCount)
        {
            _lastLines.Dequeue();
        }

        _lastLines.Enqueue(line);
    }
}
