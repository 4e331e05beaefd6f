using System.Collections.Concurrent;
using Apart.Host.Mounting;

namespace Apart.Host.Tests.Fakes;

/// <summary>
/// The host's mounts, remembered rather than made: each request kept with its device's first
/// bytes, mounted "at" its mount point or a directory named after its id.
/// </summary>
internal sealed class FakeImageMounts : IImageMounts
{
    private readonly ConcurrentQueue<ImageMountInfo> _current = new();
    private int _next;

    public List<ImageMountRequest> Requests { get; } = [];

    /// <summary>The first bytes of each device mounted, read when it was handed over.</summary>
    public List<byte[]> DeviceStarts { get; } = [];

    /// <summary>Thrown by <see cref="MountAsync"/> after it disposed the device.</summary>
    public ImageMountException? MountFails { get; set; }

    /// <summary>Thrown by <see cref="UnmountAsync"/> for a known id: busy.</summary>
    public ImageMountException? UnmountFails { get; set; }

    public int UnmountedAll { get; private set; }

    public IReadOnlyList<ImageMountInfo> Current => [.. _current];

    public Task<ImageMountInfo> MountAsync(ImageMountRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var start = new byte[Math.Min(64, request.Device.Length)];
        request.Device.Read(0, start);
        DeviceStarts.Add(start);
        request.Device.Dispose();
        if (MountFails is { } failure)
        {
            throw failure;
        }

        var id = $"m{Interlocked.Increment(ref _next)}";
        var info = new ImageMountInfo(id, request.Source, request.MountPoint ?? $"/run/fake/{id}", request.FsType);
        _current.Enqueue(info);
        return Task.FromResult(info);
    }

    public Task UnmountAsync(string id, CancellationToken cancellationToken)
    {
        if (!_current.Any(mount => mount.Id == id))
        {
            throw new ImageMountException($"No image is mounted as {id}.");
        }

        if (UnmountFails is { } busy)
        {
            throw busy;
        }

        Remove(id);
        return Task.CompletedTask;
    }

    public Task UnmountAllAsync(CancellationToken cancellationToken)
    {
        UnmountedAll++;
        foreach (var mount in Current)
        {
            Remove(mount.Id);
        }

        return Task.CompletedTask;
    }

    private void Remove(string id)
    {
        var kept = _current.Where(mount => mount.Id != id).ToList();
        _current.Clear();
        foreach (var mount in kept)
        {
            _current.Enqueue(mount);
        }
    }
}
