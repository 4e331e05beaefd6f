using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;
using Apart.Testing;
using TestLoop = Apart.Testing.LoopDevice;

namespace Apart.Host.Tests.Jobs;

/// <summary>
/// clone-disk, restore-disk and verify of image directories over a fake disk format: what the
/// host does with any format (claims, loop mappings, progress, the .inprogress directory, the
/// checks before a byte is written). Jobs over real loop devices need root.
/// </summary>
public sealed class DiskJobTests : EngineTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task A_disk_without_a_table_mounted_parts_or_a_partition_path_are_refused_before_anything_is_made()
    {
        Engine.Inventory.Add("apart-bare", 4 * MiB);
        var disk = Engine.Inventory.AddDisk("apart-disk", 8 * MiB, (MiB, MiB, false), (2 * MiB, MiB, true));

        var refusals = new List<string>();
        foreach (var source in new[] { "/dev/apart-bare", disk.DevicePath, disk.Parts[0].DevicePath, "/dev/null" })
        {
            Engine.Route(new CloneDiskRequest(source, Engine.Images, "x", "uncompressed"));
            refusals.Add((await Engine.Transport.NextAsync<JobFailed>()).Error);
        }

        Assert.Contains("has no partition table", refusals[0], StringComparison.Ordinal);
        Assert.Contains("has mounted partitions (/dev/apart-diskp2)", refusals[1], StringComparison.Ordinal);
        Assert.Contains("is a partition", refusals[2], StringComparison.Ordinal);
        Assert.Contains("is not a listed disk", refusals[3], StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Engine.Images));
        Assert.Equal(["/dev/apart-bare", disk.DevicePath, disk.Parts[0].DevicePath, "/dev/null"], Engine.Inventory.Asked); // each its own device, not the whole list
    }

    [Fact]
    public async Task A_partition_the_format_cannot_hold_is_refused_by_name()
    {
        var disk = Engine.Inventory.AddDisk("apart-disk", 8 * MiB, (MiB, MiB, false));
        Engine.DiskImager.Holds = "other";

        Engine.Route(new CloneDiskRequest(disk.DevicePath, Engine.Images, "x", "uncompressed"));

        var refused = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Equal("Partition /dev/apart-diskp1 cannot be saved in this disk image format: fake images hold other partitions, not fake.", refused.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Engine.Images));
    }

    [RootFact]
    public async Task Clone_disk_images_each_partition_through_a_read_only_mapping_and_renames_the_directory_when_complete()
    {
        using var device = PatternedLoop(4 * MiB);
        var disk = Engine.Inventory.AddDisk(Path.GetFileName(device.Path), device.Size, (MiB, MiB, false), (2 * MiB, MiB, false));
        Engine.Imager.CloneWith = source => new CommandLine("cat", [source.Path]);

        Engine.Route(new CloneDiskRequest(disk.DevicePath, Engine.Images, "laptop", "uncompressed"));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        Assert.Equal(JobKind.CloneDisk, done.Kind);
        Assert.Matches(@"/laptop-\d{4}-\d{2}-\d{2}T\d{4}-img$", done.Destination);
        Assert.Equal([Path.GetFileName(done.Destination!)], Directory.EnumerateFileSystemEntries(Engine.Images).Select(Path.GetFileName));
        Assert.Equal(FileModes.OwnerOnlyDirectory, File.GetUnixFileMode(done.Destination!));
        var image = await File.ReadAllBytesAsync(device.Path);
        Assert.Equal(image.AsSpan((int)MiB, (int)MiB).ToArray(), await File.ReadAllBytesAsync(Path.Join(done.Destination, $"{disk.Parts[0].Name}.fake.uncompressed")));
        Assert.Equal(image.AsSpan((int)(2 * MiB), (int)MiB).ToArray(), await File.ReadAllBytesAsync(Path.Join(done.Destination, $"{disk.Parts[1].Name}.fake.uncompressed")));
        Assert.All(Directory.EnumerateFiles(done.Destination!), file => Assert.Equal(FileModes.OwnerOnly, File.GetUnixFileMode(file)));
        Assert.Equal(Directory.EnumerateFiles(done.Destination!).Sum(file => new FileInfo(file).Length), done.ImageSize);
        Assert.Empty(Engine.Get<LoopMapper>().Names);
    }

    [RootFact]
    public async Task A_failing_writer_fails_the_clone_and_leaves_no_directory_and_no_mapping()
    {
        using var device = PatternedLoop(4 * MiB);
        var disk = Engine.Inventory.AddDisk(Path.GetFileName(device.Path), device.Size, (MiB, MiB, false));
        Engine.Imager.CloneWith = _ => new CommandLine("false", []);

        Engine.Route(new CloneDiskRequest(disk.DevicePath, Engine.Images, "broken", "uncompressed"));

        var failed = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Equal(JobKind.CloneDisk, failed.Kind);
        Assert.Equal($"Saving {disk.Parts[0].DevicePath} failed: false exited with status 1.", failed.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Engine.Images));
        Assert.Empty(Engine.Get<LoopMapper>().Names);
    }

    [RootFact]
    public async Task Restore_disk_writes_each_partition_at_its_place_once_every_piece_is_checked()
    {
        using var source = PatternedLoop(4 * MiB);
        using var target = TestLoop.Create(6 * MiB);
        var disk = Engine.Inventory.AddDisk(Path.GetFileName(source.Path), source.Size, (MiB, MiB, false), (2 * MiB, MiB, false));
        Engine.Inventory.Add(Path.GetFileName(target.Path), target.Size, fsType: null);
        Engine.Imager.CloneWith = device => new CommandLine("cat", [device.Path]);
        Engine.Route(new CloneDiskRequest(disk.DevicePath, Engine.Images, "laptop", "uncompressed"));
        var image = (await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null)).Destination!;

        Engine.Route(new RestoreDiskRequest(image, target.Path, null));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Kind == JobKind.RestoreDisk && progress.Finish is not null);
        Assert.Equal([false, true], Engine.DiskImager.Checks);
        var written = await File.ReadAllBytesAsync(target.Path);
        var original = await File.ReadAllBytesAsync(source.Path);
        Assert.Equal(original.AsSpan((int)MiB, (int)(2 * MiB)).ToArray(), written.AsSpan((int)MiB, (int)(2 * MiB)).ToArray());
        Assert.All(written.AsSpan(0, (int)MiB).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal($"/dev/{Path.GetFileName(target.Path)}p2", done.Part);
        Assert.Empty(Engine.Get<LoopMapper>().Names);
    }

    [RootFact]
    public async Task Restore_disk_refuses_a_small_disk_with_both_sizes_and_a_missing_piece_by_name_and_writes_nothing()
    {
        using var target = TestLoop.Create(2 * MiB);
        Engine.Inventory.Add(Path.GetFileName(target.Path), target.Size, fsType: null);
        var image = FakeImage("laptop-2026-01-01T1000-img", (MiB, 2 * MiB));

        Engine.Route(new RestoreDiskRequest(image, target.Path, null));
        var small = await Engine.Transport.NextAsync<JobFailed>();
        Engine.DiskImager.CheckWith = _ => new PieceCheck("disk1.fake.uncompressed is truncated", Recorded: true);
        Engine.Route(new RestoreDiskRequest(image, target.Path, null));
        var damaged = await Engine.Transport.NextAsync<JobFailed>();

        Assert.Equal(
            $"Destination {target.Path} is too small: the image's partitions need {3 * MiB} bytes (3 MiB), the device has {2 * MiB} bytes (2 MiB).",
            small.Error);
        Assert.Equal($"The image {image} cannot be used: disk1.fake.uncompressed is truncated.", damaged.Error);
        Assert.Empty(Engine.DiskImager.LayoutsRestored);
        Assert.All(await File.ReadAllBytesAsync(target.Path), b => Assert.Equal(0, b));
    }

    [RootFact]
    public async Task A_checksum_that_does_not_match_fails_the_restore_before_the_table_is_written()
    {
        using var target = TestLoop.Create(4 * MiB);
        Engine.Inventory.Add(Path.GetFileName(target.Path), target.Size, fsType: null);
        var image = FakeImage("laptop-2026-01-01T1000-img", (MiB, MiB));
        Engine.DiskImager.CheckWith = contents => contents ? new PieceCheck("disk1.fake.uncompressed is damaged", Recorded: true) : PieceCheck.Whole;

        Engine.Route(new RestoreDiskRequest(image, target.Path, null));

        var failed = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Equal($"The image {image} cannot be used: disk1.fake.uncompressed is damaged.", failed.Error);
        Assert.Empty(Engine.DiskImager.LayoutsRestored);
    }

    [Fact]
    public async Task An_image_of_some_partitions_only_or_not_an_image_is_refused_by_restore_disk()
    {
        var partsOnly = FakeImage("parts-2026-01-01T1000-img", (0, MiB));
        File.Delete(Path.Join(partsOnly, FakeDiskImager.Layout));
        var empty = Directory.CreateDirectory(Path.Join(Engine.Directory, "empty")).FullName;
        Engine.Inventory.Add("apart-blank", 8 * MiB, fsType: null);

        Engine.Route(new RestoreDiskRequest(partsOnly, "/dev/apart-blank", null));
        var some = await Engine.Transport.NextAsync<JobFailed>();
        Engine.Route(new RestoreDiskRequest(empty, "/dev/apart-blank", null));
        var none = await Engine.Transport.NextAsync<JobFailed>();
        Engine.Route(new RestoreDiskRequest(Path.Join(partsOnly, "parts"), "/dev/apart-blank", null));
        var file = await Engine.Transport.NextAsync<JobFailed>();

        Assert.Contains("holds some partitions of a disk", some.Error, StringComparison.Ordinal);
        Assert.Equal($"{empty} is not an image directory this core reads.", none.Error);
        Assert.Contains("is not an image directory (a partition image is restored with type: restore)", file.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_clone_removes_an_image_directory_only_when_it_holds_only_what_was_written()
    {
        var image = FakeImage("laptop-2026-01-01T1000-img", (0, MiB));
        var kept = FakeImage("kept-2026-01-01T1000-img", (0, MiB));
        await File.WriteAllTextAsync(Path.Join(kept, "mine.txt"), "mine");
        var misnamed = FakeImage("laptop-backup", (0, MiB));

        var answers = new List<CoreEvent>();
        foreach (var path in new[] { kept, misnamed, image })
        {
            Engine.Route(new DeleteCloneRequest(path));
            answers.Add(await Engine.Transport.NextAsync<CoreEvent>(answer => answer is CloneDeleted or CloneDeleteFailed));
        }

        Assert.Contains("mine.txt is not a file Apart wrote there", Assert.IsType<CloneDeleteFailed>(answers[0]).Error, StringComparison.Ordinal);
        Assert.Contains("NAME-YYYY-MM-DDTHHMM-img", Assert.IsType<CloneDeleteFailed>(answers[1]).Error, StringComparison.Ordinal);
        Assert.IsType<CloneDeleted>(answers[2]);
        Assert.False(Directory.Exists(image));
        Assert.True(File.Exists(Path.Join(kept, "mine.txt")) && Directory.Exists(misnamed));
    }

    // A loop device whose every MiB holds its own byte, so that a range read from the wrong place shows.
    private static TestLoop PatternedLoop(long size)
    {
        var device = TestLoop.Create(size);
        using var stream = new FileStream(device.Path, FileMode.Open, FileAccess.Write);
        for (var mib = 0; mib < size / MiB; mib++)
        {
            stream.Write(Enumerable.Range(0, (int)MiB).Select(i => (byte)((mib * 37) + (i % 251))).ToArray());
        }

        stream.Flush(flushToDisk: true);
        return device;
    }

    // An image directory of the fake format, its partitions' files filled with 0x5A.
    private string FakeImage(string name, params (long Start, long Size)[] parts)
    {
        var directory = Directory.CreateDirectory(Path.Join(Engine.Images, name)).FullName;
        File.WriteAllText(Path.Join(directory, FakeDiskImager.Layout), "/dev/disk\n");
        File.WriteAllText(Path.Join(directory, "parts"), string.Join(' ', parts.Select((part, i) => $"disk{i + 1}:{part.Start}:{part.Size}:{FakeImager.Format}")) + "\n");
        for (var i = 0; i < parts.Length; i++)
        {
            File.WriteAllBytes(Path.Join(directory, $"disk{i + 1}.{FakeImager.Format}.uncompressed"), Enumerable.Repeat((byte)0x5A, (int)parts[i].Size).ToArray());
        }

        return directory;
    }
}
