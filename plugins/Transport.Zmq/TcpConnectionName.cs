using Tmds.Linux;

namespace Apart.Transport.Zmq;

/// <summary>Which TCP connection a descriptor is: its two ends' addresses, as the kernel gives them.</summary>
internal static class TcpConnectionName
{
    /// <summary>Local and remote address in hex; null when the descriptor is not a connected TCP socket (any more).</summary>
    public static unsafe string? Read(int descriptor)
    {
        var local = stackalloc byte[128];
        var remote = stackalloc byte[128];
        socklen_t localLength = 128, remoteLength = 128;
        if (LibC.getsockname(descriptor, (sockaddr*)local, &localLength) != 0 ||
            LibC.getpeername(descriptor, (sockaddr*)remote, &remoteLength) != 0)
        {
            return null;
        }

        int family = ((sockaddr*)local)->sa_family;
        return family != LibC.AF_INET && family != LibC.AF_INET6
            ? null
            : $"{Convert.ToHexString(new ReadOnlySpan<byte>(local, (int)localLength))}-{Convert.ToHexString(new ReadOnlySpan<byte>(remote, (int)remoteLength))}";
    }
}
