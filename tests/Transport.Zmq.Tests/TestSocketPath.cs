namespace Apart.Transport.Zmq.Tests;

/// <summary>A fresh socket path under /tmp, removed (whatever is there) on dispose.</summary>
public sealed class TestSocketPath : IDisposable
{
    public string Path { get; } = $"/tmp/apart-zmq-test-{Guid.NewGuid():N}.ipc";

    public string Address => "ipc://" + Path;

    // File.Delete removes a socket or a symlink itself, and ignores a missing file.
    public void Dispose() => File.Delete(Path);
}
