using Apart.Abstractions;

namespace Apart.Host.Core;

/// <summary>
/// Service mode (<c>apart-core --listen</c>): one core per machine, bound at an address,
/// presenters coming and going. Read from the command line and the usual configuration sources
/// (appsettings.json beside the executable, /etc/apart/apart.json, APART_* environment variables).
/// </summary>
/// <param name="Address">Where to listen: <c>ipc:///run/apart/apart.sock</c>, or <c>tcp://HOST:PORT</c>.</param>
internal sealed record ServiceOptions(string Address)
{
    /// <summary>The group whose members may connect to an ipc:// socket (root always may). Default <c>apart</c>.</summary>
    public string SocketGroup { get; init; } = "apart";

    /// <summary>
    /// The ipc:// socket file's mode; null when the setting is not an octal mode. Default 0660:
    /// root and the group. Whatever the mode, every connection is also checked against root and
    /// <see cref="SocketGroup"/> (SO_PEERCRED).
    /// </summary>
    public UnixFileMode? SocketMode { get; init; } = FileModes.OwnerAndGroup;

    /// <summary>tcp:// listening must be enabled explicitly, and then needs <see cref="CurveSecretKey"/>.</summary>
    public bool AllowTcp { get; init; }

    /// <summary>The CURVE server secret key (Z85) for tcp://.</summary>
    public string? CurveSecretKey { get; init; }

    /// <summary>Why these options cannot start a service, or null when they can.</summary>
    public string? Problem()
    {
        if (SocketMode is null)
        {
            return "SocketMode must be an octal file mode such as 0660.";
        }

        if (!Address.StartsWith("tcp://", StringComparison.Ordinal))
        {
            return Address.StartsWith("ipc://", StringComparison.Ordinal) ? null : $"Cannot listen at {Address}: use ipc://PATH (or tcp://HOST:PORT).";
        }

        if (!AllowTcp)
        {
            return $"Listening at {Address} needs AllowTcp=true: tcp:// reaches beyond this machine. Prefer ipc://.";
        }

        return string.IsNullOrWhiteSpace(CurveSecretKey)
            ? $"Listening at {Address} needs a CURVE server key (CurveSecretKey or CurveSecretKeyFile): "
                + "a core listening on tcp:// without encryption would let anyone who reaches the port drive it as root."
            : null;
    }
}
