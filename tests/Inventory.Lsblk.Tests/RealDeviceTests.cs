using Apart.Testing;
using Apart.Abstractions;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>The real lsblk and blkid on real loop devices (root only; each test detaches what it attached).</summary>
public sealed class RealDeviceTests
{
    private const long Size = 32 * 1024 * 1024;

    [RootFact]
    public async Task A_loop_device_with_ext4_is_a_source_with_label_uuid_and_mount_state()
    {
        var label = "apart" + Random.Shared.Next(0x100000).ToString("x5", CultureInfo.InvariantCulture);
        await using var loop = await LoopDevice.AttachAsync(Size, image => Programs.RunAsync("mkfs.ext4", "-q", "-F", "-L", label, image));
        var inventory = new LsblkInventory(ProgramLocator.Find("lsblk")!, new BlkidProbe(NullLogger.Instance), NullLogger.Instance);

        var before = await inventory.ListSourcesAsync();
        await loop.MountAsync();
        var mounted = await inventory.ListSourcesAsync();
        await loop.UnmountAsync();
        var after = await inventory.ListSourcesAsync();

        var source = before.Source(loop.Name);
        Assert.Equal(Size, source.Size);
        var part = Assert.Single(source.Parts);
        Assert.Equal((loop.Name, Size, "ext4", label), (part.Name, part.Size, part.FsType, part.Label));
        Assert.True(Guid.TryParse(part.Uuid, out _), $"uuid {part.Uuid}");
        Assert.False(part.Mounted);
        Assert.Equal(part with { Mounted = true }, Assert.Single(mounted.Source(loop.Name).Parts));
        Assert.Equal(part, Assert.Single(after.Source(loop.Name).Parts));
    }

    [RootFact]
    public async Task An_empty_device_does_not_hide_the_devices_probed_after_it()
    {
        // blkid -p would stop at the empty device and never look at the second one.
        await using var empty = await LoopDevice.AttachAsync(Size);
        await using var swap = await LoopDevice.AttachAsync(Size, image => Programs.RunAsync("mkswap", "-L", "apartswap", image));
        var probe = new BlkidProbe(NullLogger.Instance);

        var found = await probe.ProbeAsync([empty.Path, "/dev/sdzz9", swap.Path]);

        Assert.Equal([swap.Path], found.Keys);
        Assert.Equal(("swap", "apartswap"), (found[swap.Path].Type, found[swap.Path].Label));
        Assert.True(BlockDeviceNode.IsBlockDevice(empty.Path));
    }
}
