using Apart.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>An uncompressed image file (or a byte array written to one) as random-access bytes, counting its reads.</summary>
internal sealed class FileSource : IRandomAccessSource
{
    private readonly SafeFileHandle _handle;

    public FileSource(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    public bool Disposed { get; private set; }

    public int Read(long offset, Span<byte> buffer) =>
        offset >= Length ? 0 : RandomAccess.Read(_handle, buffer[..(int)Math.Min(buffer.Length, Length - offset)], offset);

    public void Dispose()
    {
        Disposed = true;
        _handle.Dispose();
    }
}
