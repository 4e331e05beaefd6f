using System.Text;

namespace Apart.Abstractions;

/// <summary>Strings as the kernel and libc take them.</summary>
public static class NativeText
{
    /// <summary>
    /// A NUL-terminated UTF-8 copy of a path or argument, for a system call. A string holding NUL
    /// is refused: the kernel would silently read only the part before it.
    /// </summary>
    /// <exception cref="ArgumentException">The string contains NUL.</exception>
    public static byte[] NullTerminated(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A path or argument cannot contain a NUL character.", nameof(value));
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
