using Apart.Abstractions;
using Tmds.Linux;

namespace Apart.Inventory.Lsblk;

/// <summary>Checks device nodes before blkid is given them.</summary>
internal static class BlockDeviceNode
{
    /// <summary>
    /// Whether <paramref name="path"/> exists here and is a block device (following symlinks). A
    /// stand-in for lsblk lists devices of another machine; probing those would find nothing or,
    /// worse, a different device's content under a reused name, and blkid also accepts plain files.
    /// </summary>
    public static unsafe bool IsBlockDevice(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var bytes = NativeText.NullTerminated(path);
        stat status;
        fixed (byte* pathBytes = bytes)
        {
            return LibC.stat(pathBytes, &status) == 0 && LibC.S_ISBLK(status.st_mode);
        }
    }
}
