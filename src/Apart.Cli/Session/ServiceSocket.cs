using System.Globalization;
using System.Text;
using Tmds.Linux;

namespace Apart.Cli.Session;

/// <summary>
/// A look at a service's Unix socket before connecting, so that a service that is not running or
/// a socket this user may not open is said plainly at once (a ZeroMQ connect would only retry).
/// </summary>
internal static class ServiceSocket
{
    /// <summary>Why this process cannot connect to the socket at <paramref name="path"/>, or null when it may.</summary>
    public static unsafe string? Problem(string address, string path)
    {
        var name = Encoding.UTF8.GetBytes(path + "\0");
        stat status;
        int found;
        fixed (byte* p = name)
        {
            found = LibC.lstat(p, &status);
        }

        if (found != 0)
        {
            return $"no apart-core service at {address}: {path} does not exist (is the service running? systemctl status apart-core)";
        }

        if (!LibC.S_ISSOCK(status.st_mode))
        {
            return $"no apart-core service at {address}: {path} is not a socket";
        }

        int writable;
        fixed (byte* p = name)
        {
            writable = LibC.faccessat(LibC.AT_FDCWD, p, LibC.W_OK, 0);
        }

        if (writable != 0)
        {
            var group = GroupName(status.st_gid);
            return $"permission denied on {path}: only root and the members of the group {group} may drive the service "
                + $"(as root: usermod -aG {group} {Environment.UserName}, then log in again)";
        }

        return null;
    }

    /// <summary>The name of a group in /etc/group, or its number.</summary>
    public static string GroupName(uint gid, string groupFile = "/etc/group")
    {
        var id = gid.ToString(CultureInfo.InvariantCulture);
        try
        {
            foreach (var line in File.ReadLines(groupFile))
            {
                var fields = line.Split(':');
                if (fields.Length >= 3 && fields[2] == id)
                {
                    return fields[0];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The number will do.
        }

        return id;
    }
}
