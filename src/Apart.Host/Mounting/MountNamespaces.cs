using Apart.Abstractions;

namespace Apart.Host.Mounting;

/// <summary>
/// Whether a presenter would see what the core mounts. A mount is made in the core's mount
/// namespace; a service sandboxed by systemd (ProtectSystem=, PrivateTmp=) has one of its own, from
/// which nothing propagates back, so a path it reported would be empty to the presenter. Such a
/// mount is refused before anything is opened, rather than reported where nobody can reach it.
/// </summary>
internal static class MountNamespaces
{
    /// <summary>Why <paramref name="presenter"/> could not see the core's mounts, or null when it could (or cannot be told: no pid).</summary>
    public static string? Differ(PeerCredentials? presenter)
    {
        if (presenter is not { Pid: > 0 } peer)
        {
            return null;
        }

        var ours = Of("self");
        var theirs = Of(peer.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ours is null || theirs is null || ours == theirs
            ? null
            : "This core runs in a mount namespace of its own (a sandboxed service), so what it mounted could not be seen "
              + "by the presenter; mount with a core of the presenter's own (apart mount without --connect).";
    }

    // The namespace's identity, "mnt:[4026531841]"; null when it cannot be read.
    private static string? Of(string process)
    {
        try
        {
            return new FileInfo($"/proc/{process}/ns/mnt").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
