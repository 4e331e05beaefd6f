namespace Apart.Inventory.Lsblk;

/// <summary>The name a presenter puts after <c>/dev/</c> to reach a device (docs/PROTOCOL.md §3).</summary>
internal static class DeviceName
{
    private const string DevPrefix = "/dev/";

    /// <summary>
    /// From PATH when lsblk gives one under /dev (<c>/dev/mapper/vg-root</c> → <c>mapper/vg-root</c>);
    /// otherwise derived: device-mapper devices live in /dev/mapper under their NAME, the rest in /dev.
    /// </summary>
    public static string Of(LsblkDevice device)
    {
        if (device.Path is { } path
            && path.Length > DevPrefix.Length
            && path.StartsWith(DevPrefix, StringComparison.Ordinal)
            && !path.Contains("/../", StringComparison.Ordinal))
        {
            return path[DevPrefix.Length..];
        }

        return IsDeviceMapper(device.Type) ? "mapper/" + device.Name : device.Name;
    }

    private static bool IsDeviceMapper(string? type) =>
        type is not null
        && (type.Equals("lvm", StringComparison.OrdinalIgnoreCase)
            || type.Equals("crypt", StringComparison.OrdinalIgnoreCase)
            || type.Equals("dm", StringComparison.OrdinalIgnoreCase)
            || type.Equals("mpath", StringComparison.OrdinalIgnoreCase));
}
