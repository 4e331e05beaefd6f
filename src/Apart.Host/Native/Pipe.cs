using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>A kernel pipe; both ends close on exec, so only the child they are given to gets one.</summary>
internal sealed unsafe class Pipe : IDisposable
{
    private SafeFileHandle? _read;
    private SafeFileHandle? _write;

    private Pipe(SafeFileHandle read, SafeFileHandle write)
    {
        _read = read;
        _write = write;
    }

    /// <summary>The read end, while the pipe owns it.</summary>
    public SafeFileHandle Read => _read ?? throw new ObjectDisposedException(nameof(Pipe), "The read end was detached.");

    /// <summary>The write end, while the pipe owns it.</summary>
    public SafeFileHandle Write => _write ?? throw new ObjectDisposedException(nameof(Pipe), "The write end was detached.");

    /// <summary>Hands the read end to a new owner; disposing the pipe no longer closes it.</summary>
    public SafeFileHandle DetachRead()
    {
        var read = Read;
        _read = null;
        return read;
    }

    /// <summary>Closes the write end now (after a child got its copy), so the reader can see end-of-file.</summary>
    public void CloseWrite()
    {
        _write?.Dispose();
        _write = null;
    }

    /// <summary>
    /// Creates a pipe. A non-zero <paramref name="capacity"/> asks the kernel for a larger buffer
    /// (F_SETPIPE_SZ): image data between partclone and the compressor then crosses in fewer,
    /// larger steps, with fewer wake-ups. The kernel may cap it; that is not an error.
    /// </summary>
    public static Pipe Create(int capacity = 0)
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) == -1)
        {
            throw Errno.Exception("Cannot create a pipe", Errno.Last);
        }

        var pipe = new Pipe(new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
        if (capacity > 0)
        {
            _ = fcntl(fds[1], F_SETPIPE_SZ, capacity);
        }

        return pipe;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _read?.Dispose();
        _write?.Dispose();
    }
}
