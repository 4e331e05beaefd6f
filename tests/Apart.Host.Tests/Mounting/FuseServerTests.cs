using Apart.Host.Mounting;
using Apart.Host.Native;
using Apart.Host.Tests.Fakes;
using Apart.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Host.Tests.Mounting;

/// <summary>The core's own FUSE server (root): a file served from a source, read with the ordinary file APIs.</summary>
[Collection("FUSE mounts")] // one at a time: the tests count the process's FUSE worker threads
public sealed class FuseServerTests : IDisposable
{
    private const int MiB = 1 << 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("apart-fuse-").FullName;

    public void Dispose()
    {
        // A test that failed half-way must not leave its mount behind.
        if (Mounts.At(_directory) is not null)
        {
            _ = Mounts.Unmount(_directory, lazy: true);
        }

        Directory.Delete(_directory);
    }

    [RootFact]
    public async Task Serves_the_sources_bytes_at_any_offset_as_a_read_only_file()
    {
        var bytes = new byte[(5 * MiB) + 123];
        new Random(16).NextBytes(bytes);
        var source = new MemorySource(bytes);
        using var server = FuseServer.Start(_directory, source, NullLogger.Instance);

        Assert.Equal([DeviceFileSystem.FileName], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
        var info = new FileInfo(server.FilePath);
        Assert.Equal(bytes.LongLength, info.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, info.UnixFileMode);
        Assert.Equal(FuseServer.FsType, Mounts.At(_directory)?.FsType);

        using (var file = File.OpenHandle(server.FilePath))
        {
            var random = new Random(61);
            var buffer = new byte[300_000];
            for (var i = 0; i < 200; i++)
            {
                var offset = random.NextInt64(bytes.LongLength + 10);
                var count = random.Next(1, buffer.Length);
                var read = RandomAccess.Read(file, buffer.AsSpan(0, count), offset);
                var expected = (int)Math.Clamp(bytes.LongLength - offset, 0, count);
                Assert.Equal(expected, read);
                Assert.True(buffer.AsSpan(0, read).SequenceEqual(bytes.AsSpan((int)Math.Min(offset, bytes.Length), read)), $"bytes differ at {offset}");
            }
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(server.FilePath));
        Assert.ThrowsAny<IOException>(() => File.OpenHandle(server.FilePath, FileMode.Open, FileAccess.Write));
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Join(_directory, "new"), "x"));
    }

    [RootFact]
    public void A_source_that_fails_fails_that_read_only_with_EIO()
    {
        var bytes = new byte[4 * MiB];
        new Random(7).NextBytes(bytes);
        var source = new MemorySource(bytes) { Damaged = (2 * MiB, 4096) };
        using var server = FuseServer.Start(_directory, source, NullLogger.Instance);

        // Direct I/O: each read reaches the server, no readahead spills into the damaged range.
        using var file = File.OpenHandle(server.FilePath, options: (FileOptions)0x4000);
        var buffer = GC.AllocateArray<byte>(64 * 1024, pinned: true);
        var error = Assert.ThrowsAny<IOException>(() => RandomAccess.Read(file, buffer, 2 * MiB));
        Assert.Equal(5, error.HResult & 0xFFFF); // EIO
        Assert.Equal(buffer.Length, RandomAccess.Read(file, buffer, 3 * MiB));
        Assert.True(buffer.AsSpan().SequenceEqual(bytes.AsSpan(3 * MiB, buffer.Length)));
        Assert.Equal(buffer.Length, RandomAccess.Read(file, buffer, MiB));
        Assert.True(buffer.AsSpan().SequenceEqual(bytes.AsSpan(MiB, buffer.Length)));
    }

    [RootFact]
    public async Task Unmounting_leaves_no_mount_and_no_worker()
    {
        var server = FuseServer.Start(_directory, new MemorySource(new byte[MiB]), NullLogger.Instance);
        Assert.Equal(MiB, new FileInfo(server.FilePath).Length);
        Assert.Contains(WorkerThreads(), name => name == "apart-fuse");

        Assert.True(server.Unmount());

        await server.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(Mounts.At(_directory));
        Assert.True(await NoWorkerWithin(TimeSpan.FromSeconds(5)), "a FUSE worker thread is still there");
    }

    [RootFact]
    public async Task An_unmount_from_outside_ends_the_workers()
    {
        using var server = FuseServer.Start(_directory, new MemorySource(new byte[MiB]), NullLogger.Instance);
        Assert.Equal(MiB, new FileInfo(server.FilePath).Length);

        Programs.Run("umount", _directory);

        await server.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(Mounts.At(_directory));
    }

    // A joined thread's task can stay listed a moment longer while the runtime tears it down.
    private static async Task<bool> NoWorkerWithin(TimeSpan time)
    {
        var deadline = DateTime.UtcNow + time;
        while (WorkerThreads().Contains("apart-fuse"))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    // The names of this process's threads; one that ends between the listing and the reading of
    // its name is left out (the test process's thread-pool threads come and go meanwhile).
    private static List<string> WorkerThreads() =>
        Directory.GetDirectories("/proc/self/task").Select(ThreadName).OfType<string>().ToList();

    private static string? ThreadName(string task)
    {
        try
        {
            return File.ReadAllText(Path.Join(task, "comm")).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
