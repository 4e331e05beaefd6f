using Microsoft.Win32.SafeHandles;

namespace Apart.Abstractions;

/// <summary>
/// An image file as an <see cref="IRandomAccessSource"/>, or several files read one after another
/// as one (Clonezilla splits an image into pieces <c>….aa</c>, <c>….ab</c>, …). The files are opened
/// read-only and never written; their lengths are taken once, when opened.
/// </summary>
/// <remarks>
/// Reads are positional (<see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>), so any
/// number of threads may read at once without sharing a file position.
/// </remarks>
public sealed class FileSource : IRandomAccessSource
{
    private readonly SafeFileHandle[] _pieces;
    private readonly long[] _starts;
    private bool _disposed;

    private FileSource(SafeFileHandle[] pieces, long[] starts, long length)
    {
        _pieces = pieces;
        _starts = starts;
        Length = length;
    }

    /// <summary>Opens one file.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static FileSource Open(string path) => Open([path]);

    /// <summary>Opens files that hold one stream of bytes together, in the order given.</summary>
    /// <exception cref="ArgumentException">No files.</exception>
    /// <exception cref="IOException">A file cannot be opened.</exception>
    public static FileSource Open(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("At least one file is needed.", nameof(paths));
        }

        var pieces = new SafeFileHandle[paths.Count];
        var starts = new long[paths.Count];
        long length = 0;
        try
        {
            for (var i = 0; i < paths.Count; i++)
            {
                pieces[i] = File.OpenHandle(paths[i], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
                starts[i] = length;
                length += RandomAccess.GetLength(pieces[i]);
            }
        }
        catch
        {
            foreach (var piece in pieces)
            {
                piece?.Dispose();
            }

            throw;
        }

        return new FileSource(pieces, starts, length);
    }

    /// <summary>The files' lengths together, as they were when opened.</summary>
    public long Length { get; }

    /// <inheritdoc/>
    /// <exception cref="IOException">A file is shorter than when it was opened, or cannot be read.</exception>
    public int Read(long offset, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = 0;
        while (total < buffer.Length && offset < Length)
        {
            var piece = Array.BinarySearch(_starts, offset);
            if (piece < 0)
            {
                piece = ~piece - 1;
            }

            // A piece of length 0 shares its start with the next: take the last piece starting here.
            while (piece + 1 < _starts.Length && _starts[piece + 1] <= offset)
            {
                piece++;
            }

            var pieceEnd = piece + 1 < _starts.Length ? _starts[piece + 1] : Length;
            var wanted = (int)Math.Min(buffer.Length - total, pieceEnd - offset);
            var read = RandomAccess.Read(_pieces[piece], buffer.Slice(total, wanted), offset - _starts[piece]);
            if (read == 0)
            {
                throw new IOException($"Piece {piece + 1} of {_pieces.Length} ended at {offset - _starts[piece]} bytes, shorter than when it was opened.");
            }

            total += read;
            offset += read;
        }

        return total;
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var piece in _pieces)
        {
            piece.Dispose();
        }
    }
}
