using Microsoft.Win32.SafeHandles;

// Stand-in for Apart.Abstractions.FileSource, which the codec work adds to the contracts: the same
// name and constructor, so the call sites stay as they are. Delete this file when that is merged
// (the compiler then reports the clash, CS0436, as an error).
namespace Apart.Abstractions;

/// <summary>Files read one after another as one source: an image file, or a partition image's pieces in order.</summary>
internal sealed class FileSource : IRandomAccessSource
{
    private readonly SafeFileHandle[] _files;
    private readonly long[] _starts;

    /// <summary>Opens every file read-only.</summary>
    /// <exception cref="IOException">A file cannot be opened.</exception>
    public FileSource(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        _files = new SafeFileHandle[paths.Count];
        _starts = new long[paths.Count];
        try
        {
            long start = 0;
            for (var i = 0; i < paths.Count; i++)
            {
                _files[i] = File.OpenHandle(paths[i], FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                _starts[i] = start;
                start += RandomAccess.GetLength(_files[i]);
            }

            Length = start;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public long Length { get; }

    /// <inheritdoc/>
    public int Read(long offset, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length && offset + done < Length)
        {
            var at = offset + done;
            var found = Array.BinarySearch(_starts, at);
            var file = found >= 0 ? found : ~found - 1;
            var read = RandomAccess.Read(_files[file], buffer[done..], at - _starts[file]);
            if (read == 0)
            {
                // A piece grown shorter since it was opened.
                throw new IOException("The image's files changed while they were read.");
            }

            done += read;
        }

        return done;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var file in _files)
        {
            file?.Dispose();
        }
    }
}
