namespace Apart.Abstractions;

/// <summary>How a transport listens for presenters (service mode), or for the one core a presenter started.</summary>
public sealed record ListenOptions
{
    /// <summary>
    /// Decides, from the kernel's word on who connected, whether a presenter may use the socket.
    /// Called as the connection is accepted, before any message of it is read; a refused peer is disconnected.
    /// Transports without peer credentials (tcp://) cannot call it; see <see cref="CurveSecretKey"/>.
    /// </summary>
    public required Func<PeerCredentials, bool> Admit { get; init; }

    /// <summary>The Unix socket file's mode. Default <see cref="FileModes.OwnerAndGroup"/> (0660): its owner and its group may connect.</summary>
    public UnixFileMode SocketMode { get; init; } = FileModes.OwnerAndGroup;

    /// <summary>The group given the Unix socket file; null leaves the creator's group.</summary>
    public uint? SocketGroupId { get; init; }

    /// <summary>
    /// A CURVE server secret key (Z85, 40 characters) that encrypts a tcp:// listener. CURVE as
    /// used here authenticates the server to clients, not clients to the server: anyone
    /// who can reach the port and knows the server's public key gets in.
    /// </summary>
    public string? CurveSecretKey { get; init; }
}
