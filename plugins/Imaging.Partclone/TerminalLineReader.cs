namespace Apart.Imaging.Partclone;

/// <summary>
/// Splits text written for a terminal into lines, one character at a time so that input may arrive
/// in pieces of any size. <c>\r</c> and <c>\n</c> both end a line (partclone redraws its progress
/// with <c>\r</c>); ANSI escape sequences (<c>\e[A</c>, <c>\e[2A</c>, OSC titles) and other control
/// characters are dropped; a line keeps at most a fixed number of characters, so memory stays
/// bounded whatever the program writes.
/// </summary>
internal sealed class TerminalLineReader
{
    private const char Escape = '\u001B';
    private const char Bell = '\u0007';
    private const char EightBitCsi = '\u009B';

    private readonly char[] _line;
    private int _length;
    private State _state;

    /// <summary>Creates a reader keeping at most <paramref name="maxLineLength"/> characters a line.</summary>
    public TerminalLineReader(int maxLineLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineLength);
        _line = new char[maxLineLength];
    }

    private enum State
    {
        Text,
        Escape,
        ControlSequence,
        OperatingSystemCommand,
    }

    /// <summary>The current line's text so far, escapes removed; characters past the limit are cut.</summary>
    public ReadOnlySpan<char> Pending => _line.AsSpan(0, _length);

    /// <summary>
    /// Takes the next character. Returns true when it ended a line: <see cref="Pending"/> then holds
    /// the whole line until <see cref="Clear"/>.
    /// </summary>
    public bool Push(char c)
    {
        switch (_state)
        {
            case State.Escape:
                _state = c switch
                {
                    '[' => State.ControlSequence,
                    ']' => State.OperatingSystemCommand,
                    _ => State.Text,
                };

                // ESC and one printable character is a whole sequence (ESC 7, ESC M…); anything
                // else was not an escape after all and is read as text.
                if (c is '[' or ']' || (c >= ' ' && c <= '~'))
                {
                    return false;
                }

                break;

            case State.ControlSequence:
                // Parameters and intermediates are 0x20–0x3F, the final byte 0x40–0x7E.
                if (c >= ' ' && c <= '?')
                {
                    return false;
                }

                _state = State.Text;
                if (c >= '@' && c <= '~')
                {
                    return false;
                }

                break;

            case State.OperatingSystemCommand:
                if (c == Bell)
                {
                    _state = State.Text;
                    return false;
                }

                if (c == Escape)
                {
                    // ESC \ ends it; the backslash is then read as a two-character escape.
                    _state = State.Escape;
                    return false;
                }

                if (c is not ('\r' or '\n'))
                {
                    return false;
                }

                _state = State.Text;
                break;
        }

        return PushText(c);
    }

    /// <summary>Starts a new line.</summary>
    public void Clear() => _length = 0;

    private bool PushText(char c)
    {
        switch (c)
        {
            case '\r' or '\n':
                return true;
            case Escape:
                _state = State.Escape;
                return false;
            case EightBitCsi:
                _state = State.ControlSequence;
                return false;
            case '\t':
                Append(' ');
                return false;
            case < ' ' or '\u007F' or (>= '\u0080' and < '\u00A0'):
                return false;
            default:
                Append(c);
                return false;
        }
    }

    private void Append(char c)
    {
        if (_length < _line.Length)
        {
            _line[_length++] = c;
        }
    }
}
