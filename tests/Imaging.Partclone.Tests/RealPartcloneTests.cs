using Apart.Testing;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>The commands, the parser and the header reader against the real partclone on loop devices.</summary>
public sealed class RealPartcloneTests
{
    private const long DeviceSize = 32 * 1024 * 1024;

    private readonly PartcloneImager _imager = new(new PartcloneLocator());

    private static DeviceExtent Extent(string device) => new(device, DeviceSize);

    private ImagingCommand Check(string format) => Assert.IsType<ImageCheck.Program>(_imager.Check(format)).Command;

    [RealPartcloneFact]
    public void Partclone_is_found_on_the_usual_paths_with_its_variants()
    {
        Assert.Equal("/usr/sbin/partclone", new PartcloneLocator().Prefix);
        Assert.Equal("ext4", _imager.FormatFor("ext4"));
        Assert.Equal("vfat", _imager.FormatFor("vfat"));
        Assert.Equal("vfat", _imager.FormatFor("fat32"));
        Assert.Equal("hfsplus", _imager.FormatFor("hfsplus"));
        Assert.Equal("ntfs", _imager.FormatFor("ntfs"));
        Assert.Equal("dd", _imager.FormatFor("swap"));
        Assert.Null(_imager.CannotRead("dd"));
        Assert.NotNull(_imager.CannotRead("chkimg"));
    }

    [RealPartcloneFact(NeedsLoopDevices = true)]
    public async Task Ext4_clones_checks_and_restores_through_real_partclone()
    {
        using var work = new StandInDirectory();
        var image = Path.Combine(work.Path, "image.apt.ext4.uncompressed");
        using var source = LoopDevice.Create(DeviceSize);
        using var destination = LoopDevice.Create(DeviceSize);
        Programs.Run("mkfs.ext4", "-q", "-F", source.Path);
        var variant = _imager.FormatFor("ext4");
        Assert.Equal("ext4", variant);

        ToolRun clone;
        await using (var output = File.Create(image))
        {
            clone = await ToolRun.RunAsync(_imager.Clone(variant, Extent(source.Path)), null, output);
        }

        Assert.True(clone.ExitCode == 0, clone.Stderr);
        Assert.NotEmpty(clone.Updates);
        Assert.Equal(1.0, clone.Updates[^1].Complete);
        Assert.All(clone.Updates, u => Assert.InRange(u.Complete, 0.0, 1.0));

        await using (var input = File.OpenRead(image))
        {
            Assert.Equal(DeviceSize, await _imager.ReadSourceSizeAsync(variant, input, input.Length));
        }

        await using (var input = File.OpenRead(image))
        {
            var check = await ToolRun.RunAsync(Check(variant), input, Stream.Null);
            Assert.True(check.ExitCode == 0, check.Stderr);
            Assert.NotEmpty(check.Updates);
        }

        await using (var input = File.OpenRead(image))
        {
            var restore = await ToolRun.RunAsync(_imager.Restore(variant, Extent(destination.Path)), input, Stream.Null);
            Assert.True(restore.ExitCode == 0, restore.Stderr);
            Assert.Equal(1.0, restore.Updates[^1].Complete);
        }

        // Both devices started as zeros and partclone copies every used block.
        Assert.True(await SameBytesAsync(source.Path, destination.Path), "restored device differs from source");
    }

    [RealPartcloneFact(NeedsLoopDevices = true)]
    public async Task A_damaged_image_fails_the_check_with_partclones_reason()
    {
        using var source = LoopDevice.Create(DeviceSize);
        Programs.Run("mkfs.ext4", "-q", "-F", source.Path);
        using var image = new MemoryStream();
        var clone = await ToolRun.RunAsync(_imager.Clone("ext4", Extent(source.Path)), null, image);
        Assert.Equal(0, clone.ExitCode);

        using var truncated = new MemoryStream(image.ToArray(), 0, (int)(image.Length * 2 / 3));
        var checking = Check("ext4");
        var check = await ToolRun.RunAsync(checking, truncated, Stream.Null);

        Assert.NotEqual(0, check.ExitCode);
        Assert.Contains(checking.Progress.LastLines, line => line.Contains("fail", StringComparison.OrdinalIgnoreCase));
    }

    [RealPartcloneFact(NeedsLoopDevices = true)]
    public async Task Dd_clones_the_raw_device_and_restores_it_from_stdin()
    {
        using var source = LoopDevice.Create(DeviceSize);
        using var destination = LoopDevice.Create(DeviceSize);
        var pattern = new byte[DeviceSize];
        new Random(7).NextBytes(pattern);
        await File.WriteAllBytesAsync(source.Path, pattern);

        using var image = new MemoryStream();
        var clone = await ToolRun.RunAsync(_imager.Clone("dd", Extent(source.Path)), null, image);

        Assert.True(clone.ExitCode == 0, clone.Stderr);
        Assert.NotEmpty(clone.Updates);
        Assert.Equal(pattern, image.ToArray());
        Assert.Equal(DeviceSize, await _imager.ReadSourceSizeAsync("dd", image, image.Length));
        Assert.IsType<ImageCheck.DeviceBytes>(_imager.Check("dd"));

        image.Position = 0;
        var restore = await ToolRun.RunAsync(_imager.Restore("dd", Extent(destination.Path)), image, Stream.Null);

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.True(await SameBytesAsync(source.Path, destination.Path), "restored device differs from source");
    }

    private static async Task<bool> SameBytesAsync(string a, string b)
    {
        var first = await File.ReadAllBytesAsync(a);
        var second = await File.ReadAllBytesAsync(b);
        return first.AsSpan().SequenceEqual(second);
    }
}
