using Apart.Abstractions;
using System.Net.Sockets;
using Tmds.Linux;

namespace Apart.Transport.Zmq;

/// <summary>Reads a connected Unix socket's peer credentials (<c>SO_PEERCRED</c>).</summary>
internal static class UnixPeerCredentials
{
    /// <exception cref="IOException">The kernel would not tell (not a connected Unix socket).</exception>
    public static unsafe PeerCredentials Read(Socket socket)
    {
        ucred credentials = default;
        socklen_t length = (uint)sizeof(ucred);
        if (LibC.getsockopt((int)socket.Handle, LibC.SOL_SOCKET, LibC.SO_PEERCRED, &credentials, &length) != 0)
        {
            throw new IOException($"getsockopt(SO_PEERCRED) failed with errno {LibC.errno}.");
        }

        return new PeerCredentials(credentials.pid, credentials.uid, credentials.gid);
    }
}
