using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>A source that counts the bytes read from it: what tells a full pass from reading headers.</summary>
public sealed class CountingSource(IRandomAccessSource inner) : IRandomAccessSource
{
    private long _bytesRead;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public bool Disposed { get; private set; }

    public long Length => inner.Length;

    public int Read(long offset, Span<byte> buffer)
    {
        var read = inner.Read(offset, buffer);
        Interlocked.Add(ref _bytesRead, read);
        return read;
    }

    public void Dispose()
    {
        Disposed = true;
        inner.Dispose();
    }
}
