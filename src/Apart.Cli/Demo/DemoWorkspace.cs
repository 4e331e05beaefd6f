namespace Apart.Cli.Demo;

/// <summary>
/// Everything the demo makes, and nothing else: a temporary folder holding the backing files, the
/// images and the mount points; the loop devices it attached; the mounts it made. Disposing it
/// unmounts, detaches and deletes exactly those, whatever state the demo stopped in.
/// </summary>
internal sealed class DemoWorkspace : IAsyncDisposable
{
    private readonly List<string> _loopDevices = [];
    private readonly List<string> _mounts = [];
    private readonly TextWriter _problems;

    private DemoWorkspace(string directory, TextWriter problems)
    {
        Directory = directory;
        _problems = problems;
    }

    /// <summary>The temporary folder, <c>/tmp/apart-demo-XXXXXX</c>.</summary>
    public string Directory { get; }

    /// <summary>The loop devices attached so far, in order.</summary>
    public IReadOnlyList<string> LoopDevices => _loopDevices;

    /// <summary>Makes the folder; clean-up problems are reported to <paramref name="problems"/>.</summary>
    public static DemoWorkspace Create(TextWriter problems) =>
        new(System.IO.Directory.CreateTempSubdirectory("apart-demo-").FullName, problems);

    /// <summary>A folder inside the workspace.</summary>
    public string Folder(string name) => System.IO.Directory.CreateDirectory(Path.Combine(Directory, name)).FullName;

    /// <summary>Attaches a loop device over a new sparse (all-zero) file of <paramref name="size"/> bytes.</summary>
    public async Task<string> AttachLoopDeviceAsync(string fileName, long size)
    {
        var backing = Path.Combine(Directory, fileName);
        await using (var file = new FileStream(backing, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(size);
        }

        var device = await SystemCommand.RunAsync("losetup", "--find", "--show", backing).ConfigureAwait(false);
        _loopDevices.Add(device);
        return device;
    }

    /// <summary>Mounts <paramref name="device"/> on a new folder of the workspace.</summary>
    public async Task<string> MountAsync(string device, bool readOnly)
    {
        var mountPoint = Folder("mnt-" + Path.GetFileName(device) + (readOnly ? "-ro" : ""));
        var arguments = readOnly ? new[] { "-o", "ro", device, mountPoint } : [device, mountPoint];
        await SystemCommand.RunAsync("mount", arguments).ConfigureAwait(false);
        _mounts.Add(mountPoint);
        return mountPoint;
    }

    /// <summary>Unmounts a mount made by <see cref="MountAsync"/> and removes its folder.</summary>
    public async Task UnmountAsync(string mountPoint)
    {
        await SystemCommand.RunAsync("umount", mountPoint).ConfigureAwait(false);
        _mounts.Remove(mountPoint);
        System.IO.Directory.Delete(mountPoint);
    }

    /// <summary>Unmounts, detaches and deletes all the workspace made; reports what would not go.</summary>
    public async ValueTask DisposeAsync()
    {
        var stillMounted = false;
        foreach (var mountPoint in Enumerable.Reverse(_mounts).ToList())
        {
            if (await SystemCommand.TryRunAsync("umount", mountPoint).ConfigureAwait(false) is not null
                && await SystemCommand.TryRunAsync("umount", "--lazy", mountPoint).ConfigureAwait(false) is { } problem)
            {
                Report(problem);
                stillMounted = true;
            }
        }

        _mounts.Clear();
        foreach (var device in Enumerable.Reverse(_loopDevices).ToList())
        {
            Report(await SystemCommand.TryRunAsync("losetup", "--detach", device).ConfigureAwait(false));
        }

        _loopDevices.Clear();
        if (stillMounted)
        {
            // Deleting recursively would reach into the mounted filesystem.
            Report($"left {Directory} in place: something is still mounted in it");
            return;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Report($"could not remove {Directory}: {e.Message}");
        }
    }

    private void Report(string? problem)
    {
        if (problem is null)
        {
            return;
        }

        try
        {
            _problems.WriteLine("apart: demo clean-up: " + problem);
        }
        catch (IOException)
        {
            // The terminal is gone; the clean-up goes on.
        }
    }
}
