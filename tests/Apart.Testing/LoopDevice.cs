namespace Apart.Testing;

/// <summary>A loop device over a sparse file of its own, detached and deleted on dispose (needs root).</summary>
public sealed class LoopDevice : IDisposable
{
    private readonly string _backingFile;

    private LoopDevice(string backingFile, string path, long size)
    {
        _backingFile = backingFile;
        Path = path;
        Size = size;
    }

    /// <summary>The device node, e.g. <c>/dev/loop3</c>.</summary>
    public string Path { get; }

    /// <summary>Bytes.</summary>
    public long Size { get; }

    /// <summary>Attaches a new, all-zero loop device of <paramref name="size"/> bytes.</summary>
    public static LoopDevice Create(long size)
    {
        var backingFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"apart-test-{Guid.NewGuid():N}.img");
        using (var file = File.Create(backingFile))
        {
            file.SetLength(size);
        }

        try
        {
            return new LoopDevice(backingFile, Programs.Run("losetup", "--find", "--show", backingFile).Trim(), size);
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
            Programs.Run("losetup", "--detach", Path);
        }
        finally
        {
            File.Delete(_backingFile);
        }
    }
}
