using System.Text;
using Apart.Abstractions;
using Tmds.Linux;

namespace Apart.Transport.Zmq;

/// <summary>Reads a connected Unix socket's peer credentials (<c>SO_PEERCRED</c>).</summary>
internal static class UnixPeerCredentials
{
    /// <summary>
    /// Who is at the other end of <paramref name="descriptor"/>, provided it is a connection at
    /// <paramref name="address"/>: accepted on it when <paramref name="listening"/>, else connected
    /// to it. Null otherwise, or when the kernel would not tell: a descriptor number libzmq
    /// reported may be closed, or another file's, by the time it is looked at.
    /// </summary>
    public static unsafe PeerCredentials? Read(int descriptor, ZmqAddress address, bool listening)
    {
        sockaddr_un name = default;
        socklen_t nameLength = (uint)sizeof(sockaddr_un);
        var named = listening
            ? LibC.getsockname(descriptor, (sockaddr*)&name, &nameLength)
            : LibC.getpeername(descriptor, (sockaddr*)&name, &nameLength);
        if (named != 0 || name.sun_family != LibC.AF_UNIX || !IsAt(new ReadOnlySpan<byte>(name.sun_path, (int)nameLength - sizeof(sa_family_t)), address))
        {
            return null;
        }

        ucred credentials = default;
        socklen_t length = (uint)sizeof(ucred);
        return LibC.getsockopt(descriptor, LibC.SOL_SOCKET, LibC.SO_PEERCRED, &credentials, &length) == 0
            ? new PeerCredentials(credentials.pid, credentials.uid, credentials.gid)
            : null;
    }

    // A path's sun_path ends at its NUL; an abstract name is a NUL and the name, its length exact.
    private static bool IsAt(ReadOnlySpan<byte> path, ZmqAddress address)
    {
        if (address.IsAbstract)
        {
            return path is [0, .. var abstractName] && abstractName.SequenceEqual(Encoding.UTF8.GetBytes(address.UnixPath![1..]));
        }

        var end = path.IndexOf((byte)0);
        return (end < 0 ? path : path[..end]).SequenceEqual(Encoding.UTF8.GetBytes(address.UnixPath!));
    }
}
