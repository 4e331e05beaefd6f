namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// A theory over the real partclone in /usr/sbin on loop devices; skipped, with the reason, unless
/// partclone is installed and the tests run as root (as <see cref="RealPartcloneFactAttribute"/> with loop devices).
/// </summary>
public sealed class RealPartcloneTheoryAttribute : TheoryAttribute
{
    public RealPartcloneTheoryAttribute() =>
        Skip = new RealPartcloneFactAttribute { NeedsLoopDevices = true }.Skip;
}
