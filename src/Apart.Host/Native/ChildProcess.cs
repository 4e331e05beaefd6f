using System.Runtime.InteropServices;
using Apart.Abstractions;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>
/// A program started with exactly the standard descriptors it is given and nothing else, so image
/// data flows from process to process through the kernel and never through the core.
/// </summary>
/// <remarks>
/// Each child is spawned (posix_spawn) and then waited for by a thread of its own. The child runs
/// under <c>setpriv --pdeathsig KILL</c>: the kernel kills it when its parent thread ends, so
/// when the core dies, even by SIGKILL, no partclone or compressor outlives it. That is also why
/// the spawning thread must be the waiting thread: it lives exactly as long as the child.
/// Children get their own process group (a Ctrl-C in a terminal reaches the presenter, which
/// cancels through the protocol), default signal dispositions and an empty signal mask.
/// </remarks>
internal sealed unsafe class ChildProcess
{
    private const string SetPriv = "/usr/bin/setpriv";

    private readonly object _gate = new();
    private readonly TaskCompletionSource<ProcessExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _reaped;

    private ChildProcess(string name, int pid)
    {
        Name = name;
        Pid = pid;
    }

    /// <summary>The program's file name, for messages.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>Completes when the process has ended and been reaped.</summary>
    public Task<ProcessExit> Exited => _exited.Task;

    /// <summary>Starts a program; throws <see cref="ProgramNotFoundException"/> or <see cref="NativeIOException"/>.</summary>
    public static ChildProcess Start(CommandLine command, StandardStreams streams)
    {
        var path = ProgramLocator.Find(command.Program) ?? throw new ProgramNotFoundException(command.Program);
        var argv = File.Exists(SetPriv)
            ? [SetPriv, "--pdeathsig", "KILL", "--", path, .. command.Arguments]
            : new List<string> { path }.Concat(command.Arguments).ToList();

        var started = new TaskCompletionSource<ChildProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = Path.GetFileName(command.Program);
        var thread = new Thread(() => SpawnAndWait(name, argv, streams, started), maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "child " + name,
        };
        thread.Start();
        return started.Task.GetAwaiter().GetResult();
    }

    /// <summary>Sends a signal, unless the process has already been reaped (its pid may be reused).</summary>
    public void Signal(int signal)
    {
        lock (_gate)
        {
            if (!_reaped)
            {
                _ = kill(Pid, signal);
            }
        }
    }

    private static void SpawnAndWait(string name, IReadOnlyList<string> argv, StandardStreams streams, TaskCompletionSource<ChildProcess> started)
    {
        int pid;
        try
        {
            pid = Spawn(name, argv, streams);
        }
        catch (Exception e) when (e is NativeIOException or ArgumentException)
        {
            started.SetException(e);
            return;
        }

        var child = new ChildProcess(name, pid);
        started.SetResult(child);
        child.WaitForExit();
    }

    private void WaitForExit()
    {
        // Wait without reaping first, so Signal can never hit a recycled pid: the zombie keeps
        // the pid ours until we reap it under the lock.
        var info = stackalloc byte[128];
        int rc;
        do
        {
            rc = Libc.waitid(Libc.P_PID, Pid, info, Libc.WEXITED | Libc.WNOWAIT);
        }
        while (rc == -1 && Errno.Last == EINTR);

        int status = 0;
        lock (_gate)
        {
            do
            {
                rc = Libc.waitpid(Pid, out status, 0);
            }
            while (rc == -1 && Errno.Last == EINTR);

            _reaped = true;
        }

        // ECHILD: something else reaped it (a SIGCHLD handler set to reap all); the status is lost.
        var exit = rc == -1 ? new ProcessExit(-1, 0)
            : (status & 0x7f) == 0 ? new ProcessExit((status >> 8) & 0xff, 0)
            : new ProcessExit(0, status & 0x7f);
        _exited.SetResult(exit);
    }

    private static int Spawn(string name, IReadOnlyList<string> argv, StandardStreams streams)
    {
        var fileActions = NativeMemory.AllocZeroed(Libc.SpawnFileActionsSize);
        var attr = NativeMemory.AllocZeroed(Libc.SpawnAttrSize);
        var strings = new List<nint>();
        try
        {
            _ = Libc.posix_spawn_file_actions_init(fileActions);
            _ = Libc.posix_spawn_file_actions_adddup2(fileActions, NativeFile.Fd(streams.Input), 0);
            _ = Libc.posix_spawn_file_actions_adddup2(fileActions, NativeFile.Fd(streams.Output), 1);
            _ = Libc.posix_spawn_file_actions_adddup2(fileActions, NativeFile.Fd(streams.Error), 2);
            _ = Libc.posix_spawn_file_actions_addclosefrom_np(fileActions, 3);

            _ = Libc.posix_spawnattr_init(attr);
            sigset_t emptySet;
            sigset_t defaultSet;
            _ = sigemptyset(&emptySet);
            _ = sigfillset(&defaultSet);
            _ = sigdelset(&defaultSet, SIGKILL);
            _ = sigdelset(&defaultSet, SIGSTOP);
            _ = Libc.posix_spawnattr_setsigmask(attr, &emptySet);
            _ = Libc.posix_spawnattr_setsigdefault(attr, &defaultSet);
            _ = Libc.posix_spawnattr_setpgroup(attr, 0);
            _ = Libc.posix_spawnattr_setflags(attr, Libc.POSIX_SPAWN_SETPGROUP | Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK);

            var argvPtr = CStringArray(argv, strings);
            var envPtr = CStringArray(ChildEnvironment(), strings);
            int pid;
            fixed (byte* path = NativeText.NullTerminated(argv[0]))
            {
                var error = Libc.posix_spawn(out pid, path, fileActions, attr, argvPtr, envPtr);
                if (error != 0)
                {
                    throw Errno.Exception($"Cannot start {name}", error);
                }
            }

            return pid;
        }
        finally
        {
            _ = Libc.posix_spawn_file_actions_destroy(fileActions);
            _ = Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attr);
            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }
        }
    }

    // partclone's messages are parsed and quoted to people: keep them in plain English.
    private static List<string> ChildEnvironment()
    {
        var variables = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key is not ("LC_ALL" or "LANGUAGE"))
            {
                variables.Add($"{key}={entry.Value}");
            }
        }

        variables.Add("LC_ALL=C");
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
}

/// <summary>A program the core needs is not installed.</summary>
internal sealed class ProgramNotFoundException(string program)
    : Exception($"{program} is not installed (not found on PATH or in the sbin directories)")
{
    /// <summary>The program's name.</summary>
    public string Program { get; } = program;
}
