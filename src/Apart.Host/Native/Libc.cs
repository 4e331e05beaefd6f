using System.Runtime.InteropServices;

namespace Apart.Host.Native;

/// <summary>The libc functions Tmds.LibC does not bind: process spawning, waiting, renameat2, xattrs.</summary>
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
}
