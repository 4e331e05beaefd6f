using Apart.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Tests.Fakes;

/// <summary>A file's bytes as a source, read in place; it notes the sizes it was asked for.</summary>
internal sealed class CountingFileSource(string path) : IRandomAccessSource
{
    private readonly SafeFileHandle _file = File.OpenHandle(path);
    private int _largest;
    private long _reads;

    /// <summary>The largest read asked for.</summary>
    public int LargestRead => Volatile.Read(ref _largest);

    /// <summary>How many reads were asked for.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Whether it was disposed.</summary>
    public bool Disposed { get; private set; }

    public long Length { get; } = new FileInfo(path).Length;

    public int Read(long offset, Span<byte> buffer)
    {
        Interlocked.Increment(ref _reads);
        int seen;
        while ((seen = Volatile.Read(ref _largest)) < buffer.Length && Interlocked.CompareExchange(ref _largest, buffer.Length, seen) != seen)
        {
        }

        return RandomAccess.Read(_file, buffer, offset);
    }

    public void Dispose()
    {
        Disposed = true;
        _file.Dispose();
    }
}
