using System.Runtime.InteropServices;
using System.Text;

namespace Apart.Abstractions;

/// <summary>
/// One run of a <see cref="ShortProgram"/>, on the thread that calls <see cref="Run"/>: starts the
/// program, then polls its standard input (while there is input left), output and error, and its
/// pidfd, until it has exited and closed both outputs, or until it has exited after being killed
/// by a cancellation. It is reaped only there, so a kill can never reach a recycled pid.
/// </summary>
internal sealed unsafe partial class ShortProgramRun(
    IReadOnlyList<string> argv, IReadOnlyList<string> environment, string? input, string? workingDirectory, CancellationToken cancellationToken)
{
    private const string LibraryName = "libc";
    private const int O_CLOEXEC = 0x80000;
    private const int O_NONBLOCK = 0x800;
    private const int F_SETFL = 4;
    private const int F_GETFL = 3;
    private const short POLLIN = 0x1;
    private const short POLLOUT = 0x4;
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int SIGKILL = 9;
    private const int EFD_CLOEXEC = 0x80000;
    private const int EFD_NONBLOCK = 0x800;

    // The same number on every architecture (the syscall table unified from 5.1 on); glibc wraps
    // it only from 2.36.
    private const nint SYS_pidfd_open = 434;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly TaskCompletionSource<ProgramOutput> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private int _pid;
    private bool _running;
    private int _wake = -1;

    /// <summary>Completes with what the program did once it has been reaped.</summary>
    public Task<ProgramOutput> Completion => _completion.Task;

    /// <summary>Runs the program to its end; the outcome goes to <see cref="Completion"/>.</summary>
    public void Run()
    {
        try
        {
            _completion.SetResult(RunToEnd());
        }
        catch (OperationCanceledException)
        {
            _completion.SetCanceled(cancellationToken);
        }
        catch (Exception e)
        {
            _completion.SetException(e);
        }
    }

    private ProgramOutput RunToEnd()
    {
        var fds = stackalloc int[6];
        for (var i = 0; i < 6; i++)
        {
            fds[i] = -1;
        }

        int pidfd = -1;
        try
        {
            // [0, 1]: its input, [2, 3]: its output, [4, 5]: its error (read end, write end).
            for (var i = 0; i < 6; i += 2)
            {
                if (pipe2(fds + i, O_CLOEXEC) != 0)
                {
                    throw new InvalidOperationException($"Could not run {argv[0]}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                }
            }

            var error = Spawn.Start(argv, environment, fds[0], fds[3], fds[5], workingDirectory, out var pid);
            foreach (var childEnd in new[] { 0, 3, 5 })
            {
                _ = close(fds[childEnd]);
                fds[childEnd] = -1;
            }

            if (error != 0)
            {
                throw new InvalidOperationException($"Could not run {argv[0]}: {Marshal.GetPInvokeErrorMessage(error)}");
            }

            lock (_gate)
            {
                _pid = pid;
                _running = true;
            }

            _wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
            if (pidfd < 0 || _wake < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                Kill();
                _ = Reap();
                throw new InvalidOperationException($"Could not wait for {argv[0]}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            string standardOutput, standardError;
            using (cancellationToken.Register(Kill))
            {
                (standardOutput, standardError) = Exchange(pidfd, ref fds[1], ref fds[2], ref fds[4]);
            }

            var exitCode = Reap();
            cancellationToken.ThrowIfCancellationRequested();
            return new ProgramOutput(exitCode, standardOutput, standardError);
        }
        finally
        {
            for (var i = 0; i < 6; i++)
            {
                if (fds[i] >= 0)
                {
                    _ = close(fds[i]);
                }
            }

            foreach (var fd in new[] { pidfd, _wake })
            {
                if (fd >= 0)
                {
                    _ = close(fd);
                }
            }
        }
    }

    // Feeds the input and collects the output and error until the program has exited and closed
    // both (or has exited after a cancellation: then what it may have started keeps them open).
    // Every descriptor it finishes with is closed and set to -1.
    private (string Output, string Error) Exchange(int pidfd, ref int inputFd, ref int outputFd, ref int errorFd)
    {
        var pending = input is null ? [] : Utf8.GetBytes(input);
        var written = 0;
        if (pending.Length == 0)
        {
            _ = close(inputFd);
            inputFd = -1;
        }
        else
        {
            _ = fcntl(inputFd, F_SETFL, fcntl(inputFd, F_GETFL, 0) | O_NONBLOCK);
        }

        var output = new MemoryStream();
        var error = new MemoryStream();
        var buffer = stackalloc byte[16 * 1024];
        var polled = stackalloc PollFd[5];
        var exited = false;
        while (!exited || ((outputFd >= 0 || errorFd >= 0) && !cancellationToken.IsCancellationRequested))
        {
            var count = 0;
            polled[count++] = new PollFd { Fd = _wake, Events = POLLIN };
            if (!exited)
            {
                polled[count++] = new PollFd { Fd = pidfd, Events = POLLIN };
            }

            foreach (var fd in new[] { outputFd, errorFd })
            {
                if (fd >= 0)
                {
                    polled[count++] = new PollFd { Fd = fd, Events = POLLIN };
                }
            }

            if (inputFd >= 0)
            {
                polled[count++] = new PollFd { Fd = inputFd, Events = POLLOUT };
            }

            if (poll(polled, (nuint)count, -1) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                throw new InvalidOperationException($"Could not read from {argv[0]}: poll: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            for (var i = 0; i < count; i++)
            {
                if (polled[i].Revents == 0)
                {
                    continue;
                }

                var fd = polled[i].Fd;
                if (fd == _wake)
                {
                    // A cancellation: the loop's condition now ends it once the program has exited.
                    ulong signalled;
                    _ = read(_wake, (byte*)&signalled, sizeof(ulong));
                }
                else if (fd == pidfd)
                {
                    exited = true;
                }
                else if (fd == inputFd)
                {
                    nint n;
                    fixed (byte* data = pending)
                    {
                        n = write(fd, data + written, pending.Length - written);
                    }

                    if (n > 0)
                    {
                        written += (int)n;
                    }

                    // All written, or it will read no more (EPIPE: it exited or closed its input).
                    if (written == pending.Length || (n < 0 && Marshal.GetLastPInvokeError() is not (EAGAIN or EINTR)))
                    {
                        _ = close(inputFd);
                        inputFd = -1;
                    }
                }
                else
                {
                    var n = read(fd, buffer, 16 * 1024);
                    if (n > 0)
                    {
                        (fd == outputFd ? output : error).Write(new ReadOnlySpan<byte>(buffer, (int)n));
                    }
                    else if (n == 0 || Marshal.GetLastPInvokeError() is not (EAGAIN or EINTR))
                    {
                        _ = close(fd);
                        if (fd == outputFd)
                        {
                            outputFd = -1;
                        }
                        else
                        {
                            errorFd = -1;
                        }
                    }
                }
            }
        }

        return (Utf8.GetString(output.GetBuffer(), 0, (int)output.Length), Utf8.GetString(error.GetBuffer(), 0, (int)error.Length));
    }

    private void Kill()
    {
        lock (_gate)
        {
            if (_running)
            {
                _ = kill(_pid, SIGKILL);
            }

            if (_wake >= 0)
            {
                ulong one = 1;
                _ = write(_wake, (byte*)&one, sizeof(ulong));
            }
        }
    }

    // Only after its pidfd said it exited (or after a kill): waitpid does not block for long.
    // Its exit status, 128 + the signal's number when a signal ended it, -1 when it is unknown.
    private int Reap()
    {
        lock (_gate)
        {
            int rc;
            int status;
            do
            {
                rc = waitpid(_pid, out status, 0);
            }
            while (rc == -1 && Marshal.GetLastPInvokeError() == EINTR);

            _running = false;
            if (rc == -1)
            {
                // ECHILD: something else reaped it (a SIGCHLD handler set to reap all); the status is lost.
                return -1;
            }

            return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial int eventfd(uint initialValue, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    private static partial nint syscall(nint number, nint argument1, nint argument2);
}
