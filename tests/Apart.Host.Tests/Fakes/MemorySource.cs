using Apart.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>Bytes held in memory, read at any offset; it counts its reads, and can fail at a chosen range.</summary>
internal sealed class MemorySource(byte[] bytes) : IRandomAccessSource
{
    private int _reads;

    /// <summary>Reads overlapping this range fail with <see cref="Failure"/>.</summary>
    public (long Offset, long Length)? Damaged { get; init; }

    /// <summary>What a read of the damaged range throws.</summary>
    public Func<Exception> Failure { get; init; } = () => new InvalidDataException("the image is damaged here");

    /// <summary>How many reads it has answered or failed.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>The largest read asked for.</summary>
    public int LargestRead { get; private set; }

    /// <summary>Whether it was disposed.</summary>
    public bool Disposed { get; private set; }

    public long Length => bytes.LongLength;

    public int Read(long offset, Span<byte> buffer)
    {
        Interlocked.Increment(ref _reads);
        LargestRead = Math.Max(LargestRead, buffer.Length);
        if (Damaged is var (start, length) && offset < start + length && offset + buffer.Length > start)
        {
            throw Failure();
        }

        if (offset >= bytes.LongLength)
        {
            return 0;
        }

        var count = (int)Math.Min(buffer.Length, bytes.LongLength - offset);
        bytes.AsSpan((int)offset, count).CopyTo(buffer);
        return count;
    }

    public void Dispose() => Disposed = true;
}
