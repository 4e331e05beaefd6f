using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Jobs;

/// <summary>
/// Reads a child's standard error as it arrives: hands each piece to an observer (partclone's
/// progress parser) and keeps the last few kilobytes to explain a failure.
/// </summary>
internal sealed class StderrCapture
{
    private const int TailCharacters = 4096;

    private readonly StringBuilder _tail = new();
    private readonly Action<string>? _observer;

    private StderrCapture(SafeFileHandle readEnd, Action<string>? observer)
    {
        _observer = observer;
        Completion = Task.Factory.StartNew(() => Read(readEnd), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Completes at end of file: the child and everything it shared the pipe with have exited.</summary>
    public Task Completion { get; }

    /// <summary>The last characters read.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return _tail.ToString();
            }
        }
    }

    /// <summary>Starts reading a pipe's read end, which the capture then owns.</summary>
    public static StderrCapture Start(SafeFileHandle readEnd, Action<string>? observer) => new(readEnd, observer);

    private void Read(SafeFileHandle readEnd)
    {
        using var stream = new FileStream(readEnd, FileAccess.Read, bufferSize: 0);
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        int read;
        while ((read = stream.Read(bytes, 0, bytes.Length)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, read, chars, 0);
            var text = new string(chars, 0, count);
            lock (_tail)
            {
                _tail.Append(text);
                if (_tail.Length > TailCharacters)
                {
                    _tail.Remove(0, _tail.Length - TailCharacters);
                }
            }

            _observer?.Invoke(text);
        }
    }
}
