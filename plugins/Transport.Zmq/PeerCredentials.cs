namespace Apart.Transport.Zmq;

/// <summary>
/// Who is at the other end of a Unix domain socket, as the kernel saw it when the peer connected
/// (<c>SO_PEERCRED</c>): the peer cannot forge these.
/// </summary>
/// <param name="Pid">The peer's process id.</param>
/// <param name="Uid">The peer's effective user id.</param>
/// <param name="Gid">The peer's effective group id.</param>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid);
