using Apart.Testing;
namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// A test that runs the real partclone installed in /usr/sbin; skipped, with the reason, on a machine
/// without it. With <see cref="NeedsLoopDevices"/>, also skipped unless running as root with
/// losetup and mkfs.ext4.
/// </summary>
public sealed class RealPartcloneFactAttribute : FactAttribute
{
    private bool _needsLoopDevices;

    public RealPartcloneFactAttribute()
    {
        if (!File.Exists("/usr/sbin/partclone.dd"))
        {
            Skip = "partclone is not installed in /usr/sbin";
        }
    }

    public bool NeedsLoopDevices
    {
        get => _needsLoopDevices;
        set
        {
            _needsLoopDevices = value;
            if (value && Skip is null)
            {
                Skip = Environment.UserName != "root" ? "needs root for loop devices"
                    : !File.Exists("/usr/sbin/losetup") && !File.Exists("/sbin/losetup") ? "losetup is not installed"
                    : !File.Exists("/usr/sbin/mkfs.ext4") && !File.Exists("/sbin/mkfs.ext4") ? "mkfs.ext4 is not installed"
                    : null;
            }
        }
    }
}
