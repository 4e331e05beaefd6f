namespace Apart.Cli.Commands;

/// <summary>What a person types for a device or an image, as the core wants it: absolute paths.</summary>
internal static class DevicePath
{
    /// <summary><c>sda1</c> or <c>mapper/vg-root</c> (as <c>apart list</c> names parts) becomes <c>/dev/…</c>; a path stays.</summary>
    public static string Of(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        return device.StartsWith('/') ? device : "/dev/" + device;
    }

    /// <summary>The image name a clone gets by default: the device's own name, <c>sda1</c> for <c>/dev/sda1</c>.</summary>
    public static string DefaultImageName(string device) => Path.GetFileName(Of(device).TrimEnd('/'));
}
