using Apart.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>
/// An inventory that lists what the test says, and can be made to hang until cancelled. It answers
/// for one device (<see cref="IDeviceInventory.ListSourceAsync"/>) as the Lsblk inventory does: the
/// source the whole list would give, counted as a listing and remembered in <see cref="Asked"/>.
/// </summary>
internal sealed class FakeInventory : IDeviceInventory
{
    private readonly object _gate = new();
    private TaskCompletionSource? _hold;

    public List<SourceDevice> Sources { get; } = [];

    /// <summary>How many listings began, and how many of them were cancelled.</summary>
    public int Listings { get; private set; }

    public int Cancelled { get; private set; }

    /// <summary>What each listing was for, in order: a device path, or null for the whole list.</summary>
    public List<string?> Asked { get; } = [];

    /// <summary>Makes every listing from now on wait until <see cref="Release"/> (or its cancellation).</summary>
    public void Hang()
    {
        lock (_gate)
        {
            _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _hold?.TrySetResult();
            _hold = null;
        }
    }

    /// <summary>Lists one whole device as a single part, as the inventory lists a filesystem on a bare device.</summary>
    public PartDevice Add(string name, long size, string? fsType = "ext4", bool mounted = false)
    {
        var part = new PartDevice(name, size, mounted, fsType, Label: "test", Uuid: "0f0e0d0c");
        Sources.Add(new SourceDevice(name, size, [part]));
        return part;
    }

    /// <summary>Lists a disk with a gpt table and partitions the kernel shows no node for, at these offsets.</summary>
    public SourceDevice AddDisk(string name, long size, params (long Start, long Size, bool Mounted)[] parts)
    {
        var disk = new SourceDevice(
            name,
            size,
            [.. parts.Select((part, i) => new PartDevice($"{name}p{i + 1}", part.Size, part.Mounted, "ext4", Uuid: $"uuid-{i + 1}") { Start = part.Start, HasNode = false })],
            "gpt");
        Sources.Add(disk);
        return disk;
    }

    public Task<IReadOnlyList<SourceDevice>> ListSourcesAsync(CancellationToken cancellationToken = default) => ListAsync(null, cancellationToken);

    public async Task<SourceDevice?> ListSourceAsync(string devicePath, CancellationToken cancellationToken = default) =>
        IDeviceInventory.Holding(await ListAsync(devicePath, cancellationToken), devicePath);

    private async Task<IReadOnlyList<SourceDevice>> ListAsync(string? devicePath, CancellationToken cancellationToken)
    {
        Task hold;
        lock (_gate)
        {
            Listings++;
            Asked.Add(devicePath);
            hold = _hold?.Task ?? Task.CompletedTask;
        }

        try
        {
            await hold.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                Cancelled++;
            }

            throw;
        }

        return [.. Sources];
    }
}
