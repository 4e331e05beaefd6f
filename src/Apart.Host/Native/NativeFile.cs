using Apart.Abstractions;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>File descriptors opened with exact flags (O_EXCL, O_NOFOLLOW, modes) and the calls on them.</summary>
internal static unsafe class NativeFile
{
    /// <summary>open(2) with O_CLOEXEC added, so no child ever inherits a descriptor by accident.</summary>
    public static SafeFileHandle Open(string path, int flags, int mode = 0)
    {
        int fd;
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            do
            {
                fd = open(p, flags | O_CLOEXEC, (mode_t)mode);
            }
            while (fd == -1 && Errno.Last == EINTR);
        }

        return fd == -1 ? throw Errno.Exception($"Cannot open {path}", Errno.Last) : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>openat(2) relative to a directory descriptor, with O_CLOEXEC added.</summary>
    public static SafeFileHandle OpenAt(SafeFileHandle directory, string name, int flags, int mode = 0)
    {
        int fd;
        fixed (byte* p = NativeText.NullTerminated(name))
        {
            do
            {
                fd = openat(Fd(directory), p, flags | O_CLOEXEC, (mode_t)mode);
            }
            while (fd == -1 && Errno.Last == EINTR);
        }

        return fd == -1 ? throw Errno.Exception($"Cannot open {name}", Errno.Last) : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Clears O_NONBLOCK, which a child would otherwise inherit with the descriptor.</summary>
    public static void ClearNonBlocking(SafeFileHandle handle)
    {
        var flags = fcntl(Fd(handle), F_GETFL);
        if (flags == -1 || fcntl(Fd(handle), F_SETFL, flags & ~O_NONBLOCK) == -1)
        {
            throw Errno.Exception("Cannot set the file's flags", Errno.Last);
        }
    }

    /// <summary>fsync(2): the data and metadata reach stable storage, or the error says why not.</summary>
    public static void Fsync(SafeFileHandle handle, string what)
    {
        int rc;
        do
        {
            rc = fsync(Fd(handle));
        }
        while (rc == -1 && Errno.Last == EINTR);

        if (rc == -1)
        {
            throw Errno.Exception($"Cannot flush {what} to stable storage", Errno.Last);
        }
    }

    /// <summary>fstat(2).</summary>
    public static stat Stat(SafeFileHandle handle)
    {
        stat st;
        return fstat(Fd(handle), &st) == -1 ? throw Errno.Exception("Cannot stat", Errno.Last) : st;
    }

    /// <summary>lstat(2), or null when nothing is at the path.</summary>
    public static stat? LinkStat(string path)
    {
        stat st;
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            if (lstat(p, &st) == 0)
            {
                return st;
            }
        }

        var errno = Errno.Last;
        return errno == ENOENT || errno == ENOTDIR ? null : throw Errno.Exception($"Cannot stat {path}", errno);
    }

    /// <summary>Bytes an unprivileged writer could still write on the filesystem holding a file (fstatvfs).</summary>
    public static long AvailableBytes(SafeFileHandle handle)
    {
        statvfs st;
        return fstatvfs(Fd(handle), &st) == -1 ? long.MaxValue : (long)(ulong)st.f_bavail * (long)(ulong)st.f_frsize;
    }

    /// <summary>The current offset of a descriptor, which children sharing it move as they read.</summary>
    public static long Position(SafeFileHandle handle) => lseek(Fd(handle), 0, SEEK_CUR);

    /// <summary>Sets a user extended attribute; false when the filesystem does not support them.</summary>
    public static bool TrySetAttribute(SafeFileHandle handle, string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* n = NativeText.NullTerminated(name))
        fixed (byte* v = bytes)
        {
            return Libc.fsetxattr(Fd(handle), n, v, (nuint)bytes.Length, 0) == 0;
        }
    }

    /// <summary>Reads a user extended attribute; null when absent or unsupported.</summary>
    public static string? TryGetAttribute(SafeFileHandle handle, string name)
    {
        Span<byte> buffer = stackalloc byte[256];
        fixed (byte* n = NativeText.NullTerminated(name))
        fixed (byte* v = buffer)
        {
            var length = Libc.fgetxattr(Fd(handle), n, v, (nuint)buffer.Length);
            return length < 0 ? null : Encoding.UTF8.GetString(buffer[..(int)length]);
        }
    }

    /// <summary>The raw descriptor number of a handle.</summary>
    public static int Fd(SafeHandle handle) => (int)handle.DangerousGetHandle();
}
