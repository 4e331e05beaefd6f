using Apart.Testing;
namespace Apart.Inventory.Lsblk.Tests;

/// <summary>
/// A loop device over an image file in a temporary directory, optionally mounted. Disposing
/// unmounts it and detaches exactly the device it attached, whatever happened before.
/// </summary>
internal sealed class LoopDevice : IAsyncDisposable
{
    private readonly DirectoryInfo _work;
    private string? _mountpoint;

    private LoopDevice(DirectoryInfo work, string path)
    {
        _work = work;
        Path = path;
    }

    /// <summary>The device node, e.g. /dev/loop3.</summary>
    public string Path { get; }

    /// <summary>Its name below /dev.</summary>
    public string Name => Path["/dev/".Length..];

    /// <summary>Attaches a new image of <paramref name="size"/> bytes, after <paramref name="format"/> ran on the file.</summary>
    public static async Task<LoopDevice> AttachAsync(long size, Func<string, Task>? format = null)
    {
        var work = Directory.CreateTempSubdirectory("apart-lsblk-real-");
        try
        {
            var image = System.IO.Path.Combine(work.FullName, "device.img");
            await using (var file = File.Create(image))
            {
                file.SetLength(size);
            }

            if (format is not null)
            {
                await format(image);
            }

            var path = (await Programs.RunAsync("losetup", "--show", "--find", image)).Trim();
            return new LoopDevice(work, path);
        }
        catch
        {
            work.Delete(recursive: true);
            throw;
        }
    }

    public async Task MountAsync()
    {
        var mountpoint = Directory.CreateDirectory(System.IO.Path.Combine(_work.FullName, "mnt")).FullName;
        await Programs.RunAsync("mount", Path, mountpoint);
        _mountpoint = mountpoint;
    }

    public async Task UnmountAsync()
    {
        if (_mountpoint is { } mountpoint)
        {
            await Programs.RunAsync("umount", mountpoint);
            _mountpoint = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await UnmountAsync();
        }
        finally
        {
            try
            {
                await Programs.RunAsync("losetup", "--detach", Path);
            }
            finally
            {
                _work.Delete(recursive: true);
            }
        }
    }
}
