namespace Apart.Abstractions;

/// <summary>A block device and its size, as the host has claimed it.</summary>
/// <param name="Path">The device node, e.g. <c>/dev/sda1</c>.</param>
/// <param name="Size">Its size in bytes (BLKGETSIZE64), or the inventory's figure when the host could not open it.</param>
public sealed record DeviceExtent(string Path, long Size);
