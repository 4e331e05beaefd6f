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
/// Each child is started by <see cref="Abstractions.Spawn"/> (posix_spawn: its own process group, default
/// signal dispositions, an empty signal mask) and then waited for by a thread of its own. The
/// child runs under <c>setpriv --pdeathsig KILL</c>: the kernel kills it when its parent thread
/// ends, so when the core dies, even by SIGKILL, no partclone or compressor outlives it. That is
/// also why the spawning thread must be the waiting thread: it lives exactly as long as the child.
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
        var error = Abstractions.Spawn.Start(
            argv, Abstractions.Spawn.Environment(cLocale: true), NativeFile.Fd(streams.Input), NativeFile.Fd(streams.Output), NativeFile.Fd(streams.Error), null, out var pid);
        return error == 0 ? pid : throw Errno.Exception($"Cannot start {name}", error);
    }
}

/// <summary>A program the core needs is not installed.</summary>
internal sealed class ProgramNotFoundException(string program)
    : Exception($"{program} is not installed (not found on PATH or in the sbin directories)")
{
    /// <summary>The program's name.</summary>
    public string Program { get; } = program;
}
