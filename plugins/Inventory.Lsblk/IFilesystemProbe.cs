namespace Apart.Inventory.Lsblk;

/// <summary>
/// Reads filesystem signatures straight from devices, for those lsblk knows nothing about
/// (without udev lsblk reports no fstype, label or uuid). Unit tests replace it with a fake.
/// </summary>
internal interface IFilesystemProbe
{
    /// <summary>
    /// Probes all <paramref name="devicePaths"/> at once. Devices that do not exist here, are not
    /// block devices or hold nothing recognisable are absent from the result, keyed by the path asked for.
    /// Never throws for a failed probe: the inventory is still valid without it.
    /// </summary>
    Task<IReadOnlyDictionary<string, FilesystemSignature>> ProbeAsync(
        IReadOnlyCollection<string> devicePaths, CancellationToken cancellationToken = default);

    /// <summary>
    /// Probes the part of a device from <paramref name="offset"/> for <paramref name="size"/> bytes:
    /// a partition the kernel shows no node for. Null when nothing is recognised there or the probe
    /// failed (never throws for that).
    /// </summary>
    Task<FilesystemSignature?> ProbeRangeAsync(string devicePath, long offset, long size, CancellationToken cancellationToken = default);
}
