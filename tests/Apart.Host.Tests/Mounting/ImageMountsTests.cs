using System.Diagnostics;
using Apart.Abstractions;
using Apart.Host.Core;
using Apart.Host.Jobs;
using Apart.Host.Mounting;
using Apart.Host.Native;
using Apart.Host.Tests.Fakes;
using Apart.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static Tmds.Linux.LibC;

namespace Apart.Host.Tests.Mounting;

/// <summary>Images mounted read-only through the core's FUSE server, a loop device and the kernel's ext4 (root).</summary>
[Collection("FUSE mounts")] // one at a time: the tests count the process's FUSE worker threads
public sealed class ImageMountsTests : IDisposable
{
    private const int MiB = 1 << 20;

    private readonly ITestOutputHelper _output;
    private readonly string _root = Directory.CreateTempSubdirectory("apart-mounts-").FullName;

    public ImageMountsTests(ITestOutputHelper output) => _output = output;

    private string RuntimeDirectory => Path.Join(_root, "run");

    private string StateDirectory => Path.Join(_root, "state");

    private string Files => Path.Join(_root, "files");

    private string Image => Path.Join(_root, "fs.img");

    public void Dispose()
    {
        // Only what this test made, also when it failed half-way: mounts under its directory, then loops backed by its files.
        foreach (var entry in Enumerable.Reverse(Mounts.List()).Where(entry => entry.MountPoint.StartsWith(_root + "/", StringComparison.Ordinal)))
        {
            _ = Mounts.Unmount(entry.MountPoint, lazy: true);
        }

        foreach (var loop in OurLoops())
        {
            _ = Host.Native.LoopDevice.Detach(loop);
        }

        Directory.Delete(_root, recursive: true);
    }

    [RootFact]
    public async Task Mounts_an_ext4_image_whose_files_are_those_it_was_made_of_and_unmounting_leaves_nothing()
    {
        MakeExt4(largeFile: 64 * MiB);
        var source = new CountingFileSource(Image);
        var mounts = NewMounts();

        var mounted = await mounts.MountAsync(Request(source), CancellationToken.None);

        Assert.Equal(Path.Join(RuntimeDirectory, ImageMounts.MountPointsFolder, mounted.Id), mounted.Path);
        Assert.Matches("^[0-9a-f]{6}$", mounted.Id);
        Assert.Equal([mounted], mounts.Current);
        var loop = Assert.Single(OurLoops());
        Assert.Equal("1", File.ReadAllText($"/sys/block/loop{loop}/ro").Trim());
        foreach (var file in Directory.EnumerateFiles(Files, "*", SearchOption.AllDirectories))
        {
            var there = Path.Join(mounted.Path, Path.GetRelativePath(Files, file));
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(there));
        }

        Assert.Equal("small.txt", new FileInfo(Path.Join(mounted.Path, "link")).LinkTarget);
        Assert.ThrowsAny<IOException>(() => { File.WriteAllText(Path.Join(mounted.Path, "new"), "x"); });

        // Random reads of the large file through the mount, then all of it, timed (cold: the page cache is dropped).
        var large = await File.ReadAllBytesAsync(Path.Join(Files, "large.bin"));
        using (var file = File.OpenHandle(Path.Join(mounted.Path, "large.bin")))
        {
            var random = new Random(5);
            var buffer = new byte[100_000];
            for (var i = 0; i < 100; i++)
            {
                var offset = random.NextInt64(large.LongLength - buffer.Length);
                Assert.Equal(buffer.Length, RandomAccess.Read(file, buffer, offset));
                Assert.True(buffer.AsSpan().SequenceEqual(large.AsSpan((int)offset, buffer.Length)), $"bytes differ at {offset}");
            }
        }

        File.WriteAllText("/proc/sys/vm/drop_caches", "3");
        var clock = Stopwatch.StartNew();
        var read = await File.ReadAllBytesAsync(Path.Join(mounted.Path, "large.bin"));
        clock.Stop();
        Assert.Equal(large, read);
        _output.WriteLine($"read {large.Length / MiB} MiB through the mount in {clock.Elapsed.TotalMilliseconds:F0} ms ({large.Length / MiB / clock.Elapsed.TotalSeconds:F0} MiB/s); largest read from the source {source.LargestRead} bytes, {source.Reads} reads");

        await mounts.UnmountAsync(mounted.Id, CancellationToken.None);

        AssertNothingLeft(mounts);
        Assert.True(source.Disposed);
    }

    [RootFact]
    public async Task A_busy_mount_is_not_unmounted_and_the_error_names_the_process_that_holds_it()
    {
        MakeExt4(largeFile: MiB);
        var mounts = NewMounts();
        var mountPoint = Directory.CreateDirectory(Path.Join(_root, "chosen")).FullName;
        var mounted = await mounts.MountAsync(Request(new CountingFileSource(Image), mountPoint), CancellationToken.None);
        Assert.Equal(mountPoint, mounted.Path);

        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { WorkingDirectory = Path.Join(mountPoint, "sub") })!;
        try
        {
            var error = await Assert.ThrowsAsync<ImageMountException>(() => mounts.UnmountAsync(mounted.Id, CancellationToken.None));
            Assert.Contains($"still in use by {sleeper.Id} (sleep)", error.Message, StringComparison.Ordinal);
            Assert.NotNull(Mounts.At(mountPoint));
        }
        finally
        {
            sleeper.Kill();
            await sleeper.WaitForExitAsync();
        }

        await mounts.UnmountAsync(mounted.Id, CancellationToken.None);

        AssertNothingLeft(mounts);
        Assert.True(Directory.Exists(mountPoint), "the presenter's own mount point was removed");
    }

    [RootFact]
    public async Task A_mount_that_fails_says_why_and_leaves_nothing()
    {
        MakeExt4(largeFile: MiB);
        var source = new CountingFileSource(Image);
        var mounts = NewMounts();
        var request = Request(source) with
        {
            MountCommand = (device, mountPoint) => new CommandLine("mount", ["-t", "xfs", "-o", "ro,norecovery", device, mountPoint]),
        };

        var error = await Assert.ThrowsAsync<ImageMountException>(() => mounts.MountAsync(request, CancellationToken.None));

        Assert.Contains("mount exited with status 32", error.Message, StringComparison.Ordinal);
        AssertNothingLeft(mounts);
        Assert.True(source.Disposed);
    }

    [RootFact]
    public async Task A_given_mount_point_must_be_an_empty_directory()
    {
        var source = new MemorySource(new byte[MiB]);
        var full = Directory.CreateDirectory(Path.Join(_root, "full")).FullName;
        File.WriteAllText(Path.Join(full, "a"), "a");

        var error = await Assert.ThrowsAsync<ImageMountException>(() => NewMounts().MountAsync(Request(source, full), CancellationToken.None));

        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.True(source.Disposed);
    }

    [RootFact]
    public async Task Unmounting_everything_detaches_busy_mounts_lazily()
    {
        MakeExt4(largeFile: MiB);
        var mounts = NewMounts();
        var first = await mounts.MountAsync(Request(new CountingFileSource(Image)), CancellationToken.None);
        var second = await mounts.MountAsync(Request(new CountingFileSource(Image)), CancellationToken.None);
        Assert.NotEqual(first.Id, second.Id);
        using (File.OpenHandle(Path.Join(first.Path, "small.txt")))
        {
            await mounts.UnmountAllAsync(CancellationToken.None);
            Assert.Empty(mounts.Current);
            Assert.Null(Mounts.At(first.Path));
        }

        await WaitUntil(() => OurLoops().Count == 0);
        AssertNothingLeft(mounts);
    }

    [RootFact]
    public void The_next_core_undoes_the_mounts_of_a_core_that_was_killed()
    {
        MakeExt4(largeFile: MiB);
        var journal = new MountJournal(Path.Join(StateDirectory, MountJournal.Folder), NullLogger<MountJournal>.Instance);
        var fuse = Path.Join(RuntimeDirectory, "fuse", "abc123");
        var mountPoint = Path.Join(RuntimeDirectory, ImageMounts.MountPointsFolder, "abc123");
        var someoneElses = Directory.CreateDirectory(Path.Join(_root, "someone-elses")).FullName;

        // What a core had done when it was killed: every step noted, then taken.
        var record = journal.Begin("abc123");
        record.Note(MountStep.Directory, fuse);
        Directory.CreateDirectory(fuse);
        record.Note(MountStep.Fuse, fuse);
        var server = FuseServer.Start(fuse, new CountingFileSource(Image), NullLogger.Instance);
        using (var file = NativeFile.Open(server.FilePath, O_RDONLY))
        using (var loop = Host.Native.LoopDevice.Map(file, 0, new FileInfo(Image).Length, writable: false, exclusive: false))
        {
            record.Note(MountStep.Directory, mountPoint);
            Directory.CreateDirectory(mountPoint);
            record.Note(MountStep.Mount, mountPoint);
            Programs.Run("mount", "-t", "ext4", "-o", "ro,noload", loop.Path, mountPoint);
        }

        record.Note(MountStep.Directory, someoneElses); // never made by it: holds a file now
        File.WriteAllText(Path.Join(someoneElses, "keep"), "keep");
        server.Dispose(); // as the kernel does when the core dies: /dev/fuse closed, the FUSE mount dead
        Assert.Single(OurLoops());
        PretendTheCoreDied();

        new MountJournal(Path.Join(StateDirectory, MountJournal.Folder), NullLogger<MountJournal>.Instance).RemoveStale();

        Assert.DoesNotContain(Mounts.List(), entry => entry.MountPoint.StartsWith(_root + "/", StringComparison.Ordinal));
        Assert.Empty(OurLoops());
        Assert.False(Directory.Exists(mountPoint));
        Assert.False(Directory.Exists(fuse));
        Assert.True(File.Exists(Path.Join(someoneElses, "keep")));
        Assert.Empty(Directory.GetFiles(Path.Join(StateDirectory, MountJournal.Folder)));
    }

    [RootFact]
    public async Task A_running_cores_mounts_are_left_alone()
    {
        MakeExt4(largeFile: MiB);
        var mounts = NewMounts();
        var mounted = await mounts.MountAsync(Request(new CountingFileSource(Image)), CancellationToken.None);

        new MountJournal(Path.Join(StateDirectory, MountJournal.Folder), NullLogger<MountJournal>.Instance).RemoveStale();

        Assert.NotNull(Mounts.At(mounted.Path));
        Assert.Single(Directory.GetFiles(Path.Join(StateDirectory, MountJournal.Folder)));
        await mounts.UnmountAsync(mounted.Id, CancellationToken.None);
        AssertNothingLeft(mounts);
    }

    private ImageMounts NewMounts() => new(
        new CoreOptions("ipc:///unused", "/unused", StateDirectory) { RuntimeDirectory = RuntimeDirectory },
        new LoopMapper(new InProgressJournal(Path.Join(StateDirectory, "inprogress"), NullLogger<InProgressJournal>.Instance)),
        new MountJournal(Path.Join(StateDirectory, MountJournal.Folder), NullLogger<MountJournal>.Instance),
        NullLogger<ImageMounts>.Instance);

    private ImageMountRequest Request(IRandomAccessSource source, string? mountPoint = null) => new(
        Image,
        source,
        "ext4",
        (device, at) => new CommandLine("mount", ["-t", "ext4", "-o", "ro,noload,nodev,nosuid,noexec", device, at]),
        mountPoint);

    private void MakeExt4(int largeFile)
    {
        Directory.CreateDirectory(Path.Join(Files, "sub"));
        File.WriteAllText(Path.Join(Files, "small.txt"), "the one file needed at midnight\n");
        var bytes = new byte[largeFile];
        new Random(16).NextBytes(bytes);
        File.WriteAllBytes(Path.Join(Files, "large.bin"), bytes);
        File.WriteAllBytes(Path.Join(Files, "sub", "nested.bin"), bytes.AsSpan(0, 5000).ToArray());
        File.CreateSymbolicLink(Path.Join(Files, "link"), "small.txt");
        Programs.Run("mkfs.ext4", "-q", "-F", "-d", Files, Image, $"{(largeFile / MiB) + 16}M");
    }

    private void AssertNothingLeft(ImageMounts mounts)
    {
        Assert.Empty(mounts.Current);
        Assert.DoesNotContain(Mounts.List(), entry => entry.MountPoint.StartsWith(_root + "/", StringComparison.Ordinal));
        Assert.Empty(OurLoops());
        Assert.Empty(Directory.Exists(Path.Join(RuntimeDirectory, "fuse")) ? Directory.GetFileSystemEntries(Path.Join(RuntimeDirectory, "fuse")) : []);
        Assert.Empty(Directory.Exists(Path.Join(RuntimeDirectory, ImageMounts.MountPointsFolder)) ? Directory.GetFileSystemEntries(Path.Join(RuntimeDirectory, ImageMounts.MountPointsFolder)) : []);
        Assert.Empty(Directory.GetFiles(StateDirectory, "*", SearchOption.AllDirectories));
    }

    // The loop devices backed by a file under this test's directory (other tests' are not ours to count).
    private List<int> OurLoops() =>
        Directory.EnumerateDirectories("/sys/block", "loop*")
            .Where(device => File.Exists(Path.Join(device, "loop", "backing_file"))
                && File.ReadAllText(Path.Join(device, "loop", "backing_file")).Trim().StartsWith(_root + "/", StringComparison.Ordinal))
            .Select(device => int.Parse(Path.GetFileName(device)["loop".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    private void PretendTheCoreDied()
    {
        foreach (var record in Directory.GetFiles(Path.Join(StateDirectory, MountJournal.Folder)))
        {
            var lines = File.ReadAllLines(record);
            lines[0] = "1 999999999999";
            File.WriteAllLines(record, lines);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }
}
