namespace Apart.Testing;

/// <summary>A test that attaches and mounts real loop devices: skipped unless running as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "Needs root: attaches loop devices and reads and writes them.";
        }
    }
}
