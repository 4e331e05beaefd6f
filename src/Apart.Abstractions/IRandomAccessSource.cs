namespace Apart.Abstractions;

/// <summary>
/// Bytes that can be read at any offset without reading what comes before: an image file, the
/// decompressed contents of one, the partition an image holds. What a mounted image is served from.
/// </summary>
/// <remarks>
/// Reads may come from several threads at once (the kernel asks for pages in parallel); an
/// implementation is safe for that. Reading never writes anything to the image it comes from.
/// </remarks>
public interface IRandomAccessSource : IDisposable
{
    /// <summary>How many bytes there are.</summary>
    long Length { get; }

    /// <summary>
    /// Reads up to <c>buffer.Length</c> bytes from <paramref name="offset"/>; returns how many were
    /// read, fewer only at the end (0 at or past <see cref="Length"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes there cannot be told: the image is damaged there.</exception>
    /// <exception cref="IOException">The file beneath could not be read.</exception>
    int Read(long offset, Span<byte> buffer);
}
