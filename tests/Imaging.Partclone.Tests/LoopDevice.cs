namespace Apart.Imaging.Partclone.Tests;

/// <summary>A loop device over a sparse file of its own, detached and deleted on dispose.</summary>
internal sealed class LoopDevice : IDisposable
{
    private readonly string _backingFile;

    private LoopDevice(string backingFile, string path)
    {
        _backingFile = backingFile;
        Path = path;
    }

    /// <summary>The device node, e.g. <c>/dev/loop3</c>.</summary>
    public string Path { get; }

    public static LoopDevice Create(long size)
    {
        var backingFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"apart-pcl-{Guid.NewGuid():N}.img");
        using (var file = File.Create(backingFile))
        {
            file.SetLength(size);
        }

        try
        {
            var path = ToolRun.Check("losetup", "--find", "--show", backingFile).Trim();
            return new LoopDevice(backingFile, path);
        }
        catch
        {
            File.Delete(backingFile);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            ToolRun.Check("losetup", "--detach", Path);
        }
        finally
        {
            File.Delete(_backingFile);
        }
    }
}
