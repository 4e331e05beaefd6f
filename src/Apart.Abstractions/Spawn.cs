using System.Runtime.InteropServices;

namespace Apart.Abstractions;

/// <summary>
/// Starts a program (posix_spawn) with exactly the standard descriptors it is given and no other:
/// in a process group of its own (a Ctrl-C in a terminal reaches the presenter, which cancels
/// through the protocol), with default signal dispositions and an empty signal mask (the runtime's
/// handlers and blocked signals are not a program's business). The host's image pipelines and
/// <see cref="ShortProgram"/> both start their programs here.
/// </summary>
internal static unsafe partial class Spawn
{
    private const string LibraryName = "libc";

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86-64 and
    // arm64; these buffers leave room for any libc we run on.
    private const int FileActionsSize = 512;
    private const int AttrSize = 1024;

    private const short POSIX_SPAWN_SETPGROUP = 0x02;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;

    // sigset_t is 1024 bits in glibc.
    private const int SigSetSize = 128;
    private const int SIGKILL = 9;
    private const int SIGSTOP = 19;

    /// <summary>
    /// Starts <paramref name="argv"/>[0] (an absolute path) with its arguments and environment
    /// (<c>NAME=value</c> entries); 0 and its pid, or the errno that kept it from starting (the
    /// program is missing or not executable, the working directory is missing…).
    /// </summary>
    /// <exception cref="ArgumentException">An argument or variable contains NUL.</exception>
    public static int Start(
        IReadOnlyList<string> argv, IReadOnlyList<string> environment, int input, int output, int error, string? workingDirectory, out int pid)
    {
        pid = 0;
        var fileActions = NativeMemory.AllocZeroed(FileActionsSize);
        var attr = NativeMemory.AllocZeroed(AttrSize);
        var strings = new List<nint>();
        try
        {
            _ = posix_spawn_file_actions_init(fileActions);
            _ = posix_spawn_file_actions_adddup2(fileActions, input, 0);
            _ = posix_spawn_file_actions_adddup2(fileActions, output, 1);
            _ = posix_spawn_file_actions_adddup2(fileActions, error, 2);
            _ = posix_spawn_file_actions_addclosefrom_np(fileActions, 3);
            if (workingDirectory is not null)
            {
                fixed (byte* directory = NativeText.NullTerminated(workingDirectory))
                {
                    _ = posix_spawn_file_actions_addchdir_np(fileActions, directory);
                }
            }

            _ = posix_spawnattr_init(attr);
            var emptySet = stackalloc byte[SigSetSize];
            var defaultSet = stackalloc byte[SigSetSize];
            _ = sigemptyset(emptySet);
            _ = sigfillset(defaultSet);
            _ = sigdelset(defaultSet, SIGKILL);
            _ = sigdelset(defaultSet, SIGSTOP);
            _ = posix_spawnattr_setsigmask(attr, emptySet);
            _ = posix_spawnattr_setsigdefault(attr, defaultSet);
            _ = posix_spawnattr_setpgroup(attr, 0);
            _ = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

            var argvPtr = CStringArray(argv, strings);
            var envPtr = CStringArray(environment, strings);
            fixed (byte* path = NativeText.NullTerminated(argv[0]))
            {
                return posix_spawn(out pid, path, fileActions, attr, argvPtr, envPtr);
            }
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(fileActions);
            _ = posix_spawnattr_destroy(attr);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    /// <summary>
    /// The core's environment for a program (<c>NAME=value</c> entries); with
    /// <paramref name="cLocale"/>, <c>LC_ALL=C</c> in place of the caller's locale, for messages
    /// that are parsed or quoted to people in plain English (LANGUAGE, which could still
    /// translate them, is left out).
    /// </summary>
    public static List<string> Environment(bool cLocale)
    {
        var variables = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (!(cLocale && key is ("LC_ALL" or "LANGUAGE")))
            {
                variables.Add($"{key}={entry.Value}");
            }
        }

        if (cLocale)
        {
            variables.Add("LC_ALL=C");
        }

        return variables;
    }

    private static byte** CStringArray(IReadOnlyList<string> values, List<nint> allocations)
    {
        var array = (byte**)Marshal.AllocCoTaskMem(sizeof(nint) * (values.Count + 1));
        allocations.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            var text = NativeText.NullTerminated(values[i]); // refuses NUL, which would silently cut the argument
            var s = Marshal.AllocCoTaskMem(text.Length);
            allocations.Add(s);
            Marshal.Copy(text, 0, s, text.Length);
            array[i] = (byte*)s;
        }

        array[values.Count] = null;
        return array;
    }

    [LibraryImport(LibraryName)]
    private static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int fromFd);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(LibraryName)]
    private static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(LibraryName)]
    private static partial int sigemptyset(void* set);

    [LibraryImport(LibraryName)]
    private static partial int sigfillset(void* set);

    [LibraryImport(LibraryName)]
    private static partial int sigdelset(void* set, int signal);
}
