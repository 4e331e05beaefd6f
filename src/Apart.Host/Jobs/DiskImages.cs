using Apart.Abstractions;
using Apart.Host.Native;

namespace Apart.Host.Jobs;

/// <summary>What the disk jobs (clone, restore and verify of image directories) share.</summary>
internal static class DiskImages
{
    /// <summary>blkid's type for swap space: made again on restore, never imaged.</summary>
    public const string Swap = "swap";

    /// <summary>
    /// Claims a listed disk exclusively: nothing can mount, swap on or claim it or its partitions
    /// while the job holds it. The refusal says what holds it.
    /// </summary>
    public static BlockDevice Claim(SourceDevice disk, string role, bool write)
    {
        try
        {
            return BlockDevice.Claim(disk.DevicePath, write);
        }
        catch (DeviceBusyException)
        {
            throw new JobFailedException($"{role} {disk.DevicePath} is in use (a partition mounted or an active swap, part of a RAID or LVM volume, or used by another job).");
        }
        catch (IOException e)
        {
            throw new JobFailedException($"{role} {disk.DevicePath} cannot be opened: {e.Message}");
        }
    }

    /// <summary>A loop device of the core's over one partition of a claimed disk.</summary>
    public static LoopDevice Map(LoopMapper loops, BlockDevice disk, DiskImagePart part, bool writable, bool exclusive = true)
    {
        try
        {
            return loops.Map(disk.Handle, part.Start, part.Size, writable, exclusive);
        }
        catch (NativeIOException e)
        {
            throw new JobFailedException($"Partition {part.Name} of {disk.Path} cannot be reached: {e.Message}.");
        }
    }

    /// <summary>
    /// Runs a step of the disk imaging plugin; what it throws for want of a program, a file or a
    /// sane answer becomes the job's failure, with <paramref name="what"/> saying which step.
    /// </summary>
    public static async Task<T> PluginStepAsync<T>(string what, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new JobFailedException($"{what}: {e.Message}.");
        }
    }

    /// <inheritdoc cref="PluginStepAsync{T}(string, Func{Task{T}})"/>
    public static Task PluginStepAsync(string what, Func<Task> step) =>
        PluginStepAsync<object?>(what, async () =>
        {
            await step().ConfigureAwait(false);
            return null;
        });
}
