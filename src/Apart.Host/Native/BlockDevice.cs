using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>
/// A block device held with an exclusive open (O_EXCL). The kernel grants it only when nothing
/// else claims the device — not mounted, not active swap, not an md member or LVM physical volume,
/// not held by another job — and while we hold it nobody can mount or claim it. A job holds its
/// device this way from its checks to its end.
/// </summary>
internal sealed unsafe class BlockDevice : IDisposable
{
    private const uint BLKFLSBUF = 0x1261;
    private const uint BLKGETSIZE64 = 0x80081272;
    private const uint BLKRRPART = 0x125F;

    private readonly SafeFileHandle _handle;

    private BlockDevice(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The device node.</summary>
    public string Path { get; }

    /// <summary>The claimed descriptor, for what must be given the device itself (a loop device over part of it).</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>
    /// Claims a block device exclusively, read-only or for writing. Throws <see cref="DeviceBusyException"/>
    /// when something holds it and <see cref="NativeIOException"/> for anything else (missing, not a block device).
    /// </summary>
    public static BlockDevice Claim(string path, bool write)
    {
        SafeFileHandle handle;
        try
        {
            handle = NativeFile.Open(path, (write ? O_RDWR : O_RDONLY) | O_EXCL);
        }
        catch (NativeIOException e) when (e.ErrorNumber == EBUSY)
        {
            throw new DeviceBusyException(path);
        }

        try
        {
            var opened = NativeFile.Stat(handle);
            if ((opened.st_mode & S_IFMT) != S_IFBLK)
            {
                throw new IOException($"{path} is not a block device");
            }

            return new BlockDevice(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The device's size in bytes (BLKGETSIZE64).</summary>
    public long Size()
    {
        ulong size;
        return ioctl(NativeFile.Fd(_handle), unchecked((int)BLKGETSIZE64), &size) == -1
            ? throw Errno.Exception($"Cannot read the size of {Path}", Errno.Last)
            : (long)size;
    }

    /// <summary>A stream over the claimed device, sharing its descriptor (disposing it leaves the claim).</summary>
    public Stream OpenStream() =>
        new FileStream(new SafeFileHandle(_handle.DangerousGetHandle(), ownsHandle: false), FileAccess.ReadWrite, bufferSize: 0);

    /// <summary>
    /// Flushes everything written to the device to the hardware: fsync on the device, then the
    /// block-device flush ioctl (BLKFLSBUF), which also drops its now stale cached pages.
    /// </summary>
    public void Flush()
    {
        NativeFile.Fsync(_handle, Path);
        if (ioctl(NativeFile.Fd(_handle), (int)BLKFLSBUF, 0) == -1)
        {
            throw Errno.Exception($"Cannot flush the buffers of {Path}", Errno.Last);
        }
    }

    /// <summary>
    /// Asks the kernel to read the device's partition table again (BLKRRPART), so that partition
    /// nodes match a table just written. Returns the errno when it would not (no partition support,
    /// a loop device without partition scanning): then the core reaches the partitions itself.
    /// </summary>
    public int RereadPartitions() => ioctl(NativeFile.Fd(_handle), (int)BLKRRPART, 0) == -1 ? Errno.Last : 0;

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}

/// <summary>The kernel refused an exclusive open: the device is mounted, swap, or held by something.</summary>
internal sealed class DeviceBusyException(string path)
    : IOException($"{path} is in use (mounted, active swap, part of a RAID or LVM volume, or used by another job)");
