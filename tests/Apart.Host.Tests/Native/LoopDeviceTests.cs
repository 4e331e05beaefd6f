using Apart.Host.Native;
using Apart.Testing;
using static Tmds.Linux.LibC;
using TestLoop = Apart.Testing.LoopDevice;

namespace Apart.Host.Tests.Native;

/// <summary>The core's own loop devices over a range of a disk (root): what partitions without kernel nodes are reached by.</summary>
public sealed class LoopDeviceTests
{
    private const long MiB = 1 << 20;

    [RootFact]
    public async Task A_writable_mapping_writes_at_the_offset_and_nowhere_else_and_is_gone_once_disposed()
    {
        using var disk = TestLoop.Create(8 * MiB);
        string path;
        using (var backing = NativeFile.Open(disk.Path, O_RDWR))
        using (var mapping = Host.Native.LoopDevice.Map(backing, 2 * MiB, 3 * MiB, writable: true))
        {
            path = mapping.Path;
            Assert.Equal(3 * MiB, new FileInfo($"/sys/block/{mapping.Name}/size").Exists ? long.Parse(await File.ReadAllTextAsync($"/sys/block/{mapping.Name}/size"), System.Globalization.CultureInfo.InvariantCulture) * 512 : -1);
            await using (var device = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                await device.WriteAsync(Enumerable.Repeat((byte)0xA5, (int)(3 * MiB)).ToArray());
            }

            mapping.Flush();
        }

        var bytes = await File.ReadAllBytesAsync(disk.Path);
        Assert.All(bytes.AsSpan(0, (int)(2 * MiB)).ToArray(), b => Assert.Equal(0, b));
        Assert.All(bytes.AsSpan((int)(2 * MiB), (int)(3 * MiB)).ToArray(), b => Assert.Equal(0xA5, b));
        Assert.All(bytes.AsSpan((int)(5 * MiB)).ToArray(), b => Assert.Equal(0, b));
        // Its number may be another test's loop device by now: only a mapping of this disk counts.
        var backingFile = $"/sys/block/{Path.GetFileName(path)}/loop/backing_file";
        Assert.False(File.Exists(backingFile) && File.ReadAllText(backingFile).Trim() == disk.Path, $"{path} is still attached to {disk.Path}");
    }

    [RootFact]
    public void A_read_only_mapping_refuses_writes_and_nobody_else_can_claim_it()
    {
        using var disk = TestLoop.Create(4 * MiB);
        using var backing = NativeFile.Open(disk.Path, O_RDONLY);
        using var mapping = Host.Native.LoopDevice.Map(backing, 0, MiB, writable: false);

        Assert.Equal("1", File.ReadAllText($"/sys/block/{mapping.Name}/ro").Trim());
        Assert.ThrowsAny<UnauthorizedAccessException>(() =>
        {
            using var device = new FileStream(mapping.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            device.Write(new byte[4096]);
        });
        Assert.Throws<DeviceBusyException>(() => BlockDevice.Claim(mapping.Path, write: false));
    }
}
