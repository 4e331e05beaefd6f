using Apart.Abstractions;
using Apart.Host.Native;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// A listed part held by a job from its checks to its end: its kernel node, claimed exclusively,
/// or, for a partition the kernel shows no node for, its disk claimed exclusively and a loop
/// device of the core's own at the partition's offset and size (read-only for a source).
/// </summary>
internal sealed class ClaimedPart : IDisposable
{
    private readonly BlockDevice _device;
    private readonly LoopDevice? _mapping;
    private readonly long _start;

    private ClaimedPart(BlockDevice device, LoopDevice? mapping, long start)
    {
        _device = device;
        _mapping = mapping;
        _start = start;
    }

    /// <summary>The device programs are given: the node, or the mapping.</summary>
    public DeviceExtent Extent => _mapping?.Extent ?? new DeviceExtent(_device.Path, _device.Size());

    /// <summary>
    /// Claims a listed part. Throws <see cref="DeviceBusyException"/> when something holds it (or
    /// its disk), and <see cref="NativeIOException"/> for anything else (missing, not a block device).
    /// </summary>
    public static ClaimedPart Claim(SourceDevice disk, PartDevice part, bool write, LoopMapper loops)
    {
        if (part.HasNode || part.Start is not { } start)
        {
            return new ClaimedPart(BlockDevice.Claim(part.DevicePath, write), null, 0);
        }

        var held = BlockDevice.Claim(disk.DevicePath, write);
        try
        {
            return new ClaimedPart(held, loops.Map(held.Handle, start, part.Size, write), start);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Flushes what was written to the hardware: the mapping into its disk, then the device itself (fsync, BLKFLSBUF).</summary>
    public void Flush()
    {
        _mapping?.Flush();
        _device.Flush();
    }

    /// <summary>
    /// A writable loop device of the core's over the part that is not held exclusively, so that a
    /// tool may mount it (the part itself is held, and mount would refuse it): for growing the
    /// filesystem restored to it. Flush it before disposing of it.
    /// </summary>
    public LoopDevice MapMountable(LoopMapper loops) =>
        loops.Map(_device.Handle, _start, Size(), writable: true, exclusive: false);

    /// <summary>The part's size as the kernel has it.</summary>
    public long Size() => _mapping?.Size ?? _device.Size();

    /// <inheritdoc/>
    public void Dispose()
    {
        _mapping?.Dispose();
        _device.Dispose();
    }
}
