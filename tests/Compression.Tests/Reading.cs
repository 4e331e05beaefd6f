using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>Reads compared with the original bytes.</summary>
public static class Reading
{
    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/> and checks them (and how many there were) against <paramref name="expected"/>.</summary>
    public static void Matches(byte[] expected, IRandomAccessSource source, long offset, int length)
    {
        var buffer = new byte[length];
        var read = source.Read(offset, buffer);
        var available = (int)Math.Clamp(expected.Length - offset, 0, length);
        Assert.Equal(available, read);
        Assert.True(expected.AsSpan((int)Math.Min(offset, expected.Length), available).SequenceEqual(buffer.AsSpan(0, read)),
            $"bytes differ in {length} at {offset}");
    }

    /// <summary>Reads at random offsets and lengths (up to 1 MiB), the same ones for a seed.</summary>
    public static void RandomReadsMatch(byte[] expected, IRandomAccessSource source, int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            Matches(expected, source, random.NextInt64(expected.Length), random.Next(1, 1 << 20));
        }
    }

    /// <summary>Everything, in reads of <paramref name="size"/> bytes.</summary>
    public static void AllMatches(byte[] expected, IRandomAccessSource source, int size)
    {
        for (long offset = 0; offset < expected.Length; offset += size)
        {
            Matches(expected, source, offset, size);
        }
    }
}
