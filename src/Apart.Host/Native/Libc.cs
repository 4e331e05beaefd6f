using System.Runtime.InteropServices;

namespace Apart.Host.Native;

/// <summary>The libc functions Tmds.LibC does not bind: waiting for a child, renameat2, xattrs, mounting, the calls a FUSE server makes, and malloc_trim.</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc";

    internal const int P_PID = 1;
    internal const int WEXITED = 4;
    internal const int WNOWAIT = 0x01000000;

    internal const uint RENAME_NOREPLACE = 1;

    /// <summary>Gives the free memory of every malloc arena back to the system; 1 if some was.</summary>
    [LibraryImport(LibraryName)]
    internal static partial int malloc_trim(nuint pad);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int waitid(int idType, int id, void* siginfo, int options);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int waitpid(int pid, out int status, int options);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int renameat2(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath, uint flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int renameat(int oldDirFd, byte* oldPath, int newDirFd, byte* newPath);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int fsetxattr(int fd, byte* name, void* value, nuint size, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint fgetxattr(int fd, byte* name, void* value, nuint size);

    internal const ulong MS_RDONLY = 1;
    internal const ulong MS_NOSUID = 2;
    internal const ulong MS_NODEV = 4;
    internal const ulong MS_NOEXEC = 8;
    internal const int MNT_DETACH = 2;
    internal const int UMOUNT_NOFOLLOW = 8;

    internal const short POLLIN = 1;
    internal const short POLLERR = 8;
    internal const short POLLHUP = 16;
    internal const int EFD_CLOEXEC = 0x80000;

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int mount(byte* source, byte* target, byte* fileSystemType, ulong flags, byte* data);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int umount2(byte* target, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int eventfd(uint initial, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint writev(int fd, IoVec* vectors, int count);

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
