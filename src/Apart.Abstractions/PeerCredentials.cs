namespace Apart.Abstractions;

/// <summary>Who is at the other end of a Unix socket, as the kernel reports it (SO_PEERCRED).</summary>
/// <param name="Pid">The connecting process, at the time it connected.</param>
/// <param name="Uid">Its effective user id.</param>
/// <param name="Gid">Its effective group id.</param>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid);
