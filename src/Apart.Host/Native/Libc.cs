using System.Runtime.InteropServices;

namespace Apart.Host.Native;

/// <summary>The libc functions Tmds.LibC does not bind: process spawning, waiting, renameat2, xattrs, mounting, the calls a FUSE server makes, and malloc_trim.</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc";

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86-64 and
    // arm64; these buffers leave room for any libc we run on.
    internal const int SpawnFileActionsSize = 512;
    internal const int SpawnAttrSize = 1024;

    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;

    internal const int P_PID = 1;
    internal const int WEXITED = 4;
    internal const int WNOWAIT = 0x01000000;

    internal const uint RENAME_NOREPLACE = 1;

    /// <summary>Gives the free memory of every malloc arena back to the system; 1 if some was.</summary>
    [LibraryImport(LibraryName)]
    internal static partial int malloc_trim(nuint pad);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int fromFd);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(LibraryName)]
    internal static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

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
