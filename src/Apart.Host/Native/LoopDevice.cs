using System.Globalization;
using System.Runtime.InteropServices;
using Apart.Abstractions;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>
/// A loop device of the core's own over a range of another device: how the core reaches a
/// partition the kernel shows no node for, at its offset and size. Made with LOOP_CONFIGURE,
/// autoclearing, held open exclusively (nobody can mount it meanwhile): when the core closes it,
/// or dies, the kernel detaches it as soon as the programs using it have closed it too.
/// </summary>
internal sealed unsafe class LoopDevice : IDisposable
{
    private const uint LOOP_CLR_FD = 0x4C01;
    private const uint LOOP_CONFIGURE = 0x4C0A;
    private const uint LOOP_CTL_GET_FREE = 0x4C82;
    private const uint LO_FLAGS_READ_ONLY = 1;
    private const uint LO_FLAGS_AUTOCLEAR = 4;
    private const int Attempts = 16;

    private readonly SafeFileHandle _handle;
    private readonly Action? _forget;

    private LoopDevice(int number, SafeFileHandle handle, long size, Action? forget)
    {
        Number = number;
        _handle = handle;
        Size = size;
        _forget = forget;
    }

    /// <summary>Its number: it is <c>/dev/loopN</c>.</summary>
    public int Number { get; }

    /// <summary>The device node.</summary>
    public string Path => $"/dev/loop{Number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Its kernel name, as the inventory lists it: <c>loopN</c>.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Bytes.</summary>
    public long Size { get; }

    /// <summary>The device as programs are given it.</summary>
    public DeviceExtent Extent => new(Path, Size);

    /// <summary>
    /// Maps <paramref name="size"/> bytes of <paramref name="backing"/> from <paramref name="offset"/>
    /// to a free loop device, read-only unless <paramref name="writable"/>, held exclusively unless
    /// not <paramref name="exclusive"/> (a device that is to be mounted cannot be held).
    /// <paramref name="recorded"/> runs once the device exists (to note it in the journal) and
    /// returns what undoes the note.
    /// </summary>
    /// <exception cref="NativeIOException">The kernel refused.</exception>
    public static LoopDevice Map(SafeFileHandle backing, long offset, long size, bool writable, bool exclusive = true, Func<int, Action>? recorded = null)
    {
        using var control = NativeFile.Open("/dev/loop-control", O_RDWR);
        for (var attempt = 1; ; attempt++)
        {
            var number = ioctl(NativeFile.Fd(control), unchecked((int)LOOP_CTL_GET_FREE), 0);
            if (number < 0)
            {
                throw Errno.Exception("Cannot find a free loop device", Errno.Last);
            }

            var device = NativeFile.Open($"/dev/loop{number.ToString(CultureInfo.InvariantCulture)}", O_RDWR);
            var config = new LoopConfig
            {
                Fd = (uint)NativeFile.Fd(backing),
                Info = new LoopInfo64
                {
                    Offset = (ulong)offset,
                    SizeLimit = (ulong)size,
                    Flags = LO_FLAGS_AUTOCLEAR | (writable ? 0 : LO_FLAGS_READ_ONLY),
                },
            };
            if (ioctl(NativeFile.Fd(device), unchecked((int)LOOP_CONFIGURE), &config) == 0)
            {
                var forget = recorded?.Invoke(number);
                if (!exclusive)
                {
                    return new LoopDevice(number, device, size, forget);
                }

                // Held exclusively from now on; the configuring descriptor can go.
                SafeFileHandle claimed;
                try
                {
                    claimed = NativeFile.Open($"/dev/loop{number.ToString(CultureInfo.InvariantCulture)}", (writable ? O_RDWR : O_RDONLY) | O_EXCL);
                }
                catch
                {
                    _ = ioctl(NativeFile.Fd(device), unchecked((int)LOOP_CLR_FD), 0);
                    device.Dispose();
                    forget?.Invoke();
                    throw;
                }

                device.Dispose();
                return new LoopDevice(number, claimed, size, forget);
            }

            var errno = Errno.Last;
            device.Dispose();
            if (errno != EBUSY || attempt == Attempts)
            {
                throw Errno.Exception($"Cannot set up /dev/loop{number} over {size} bytes at offset {offset}", errno);
            }

            // Another process took the free device first: ask again.
        }
    }

    /// <summary>Detaches loop device <paramref name="number"/> (now, or once its last holder closes it); false when it cannot be opened.</summary>
    public static bool Detach(int number)
    {
        try
        {
            using var device = NativeFile.Open($"/dev/loop{number.ToString(CultureInfo.InvariantCulture)}", O_RDONLY);
            return ioctl(NativeFile.Fd(device), unchecked((int)LOOP_CLR_FD), 0) == 0;
        }
        catch (NativeIOException)
        {
            return false;
        }
    }

    /// <summary>Detaches the device: now, or when the last program holding it closes it.</summary>
    public void Dispose()
    {
        _ = ioctl(NativeFile.Fd(_handle), unchecked((int)LOOP_CLR_FD), 0);
        _handle.Dispose();
        _forget?.Invoke();
    }

    /// <summary>Flushes what was written to the device through to what it maps.</summary>
    public void Flush() => NativeFile.Fsync(_handle, Path);

    // linux/loop.h: struct loop_info64 and struct loop_config.
    [StructLayout(LayoutKind.Sequential)]
    private struct LoopInfo64
    {
        public ulong Device;
        public ulong Inode;
        public ulong RDevice;
        public ulong Offset;
        public ulong SizeLimit;
        public uint Number;
        public uint EncryptType;
        public uint EncryptKeySize;
        public uint Flags;
        public fixed byte FileName[64];
        public fixed byte CryptName[64];
        public fixed byte EncryptKey[32];
        public fixed ulong Init[2];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct LoopConfig
    {
        public uint Fd;
        public uint BlockSize;
        public LoopInfo64 Info;
        public fixed ulong Reserved[8];
    }
}
