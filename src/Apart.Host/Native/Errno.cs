using System.Runtime.InteropServices;

namespace Apart.Host.Native;

/// <summary>Turns errno values into the words people know them by ("No space left on device").</summary>
internal static class Errno
{
    /// <summary>The errno of the calling thread's last P/Invoke (Tmds.LibC and <see cref="Libc"/> both record it).</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>strerror's text for an errno value.</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>An IOException carrying the errno's text, e.g. "Cannot open /dev/sdz1: No such file or directory".</summary>
    public static NativeIOException Exception(string what, int errno) => new(what, errno);
}

/// <summary>A failed system call: what was attempted and the errno it returned.</summary>
internal sealed class NativeIOException(string what, int errno)
    : IOException($"{what}: {Errno.Describe(errno)}", errno)
{
    /// <summary>The errno value.</summary>
    public int ErrorNumber { get; } = errno;
}
