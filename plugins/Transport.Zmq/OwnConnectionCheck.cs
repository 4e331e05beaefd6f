using System.Globalization;
using System.Net;
using System.Text;

namespace Apart.Transport.Zmq;

/// <summary>
/// Tells whether a TCP connection accepted on loopback was opened by this very process. The relay's
/// loopback port is reachable by every local user; only our own NetMQ socket may use it, or another
/// user could talk to the presenter through us.
/// </summary>
internal static class OwnConnectionCheck
{
    /// <summary>
    /// Finds the connecting socket in the kernel's TCP tables (its local end is
    /// <paramref name="connectingEnd"/>, its remote end <paramref name="listeningEnd"/>) and checks
    /// that one of this process's file descriptors is that socket.
    /// </summary>
    /// <param name="inode">The connecting socket's inode, 0 when it was not found.</param>
    public static bool IsFromThisProcess(IPEndPoint connectingEnd, IPEndPoint listeningEnd, out ulong inode)
    {
        inode = FindSocketInode("/proc/net/tcp", ToKernelText(connectingEnd, v6: false), ToKernelText(listeningEnd, v6: false));
        if (inode == 0)
        {
            inode = FindSocketInode("/proc/net/tcp6", ToKernelText(connectingEnd, v6: true), ToKernelText(listeningEnd, v6: true));
        }

        return inode != 0 && OwnsSocketInode(inode);
    }

    // Lines read "  0: 0100007F:A1B2 0100007F:C3D4 01 00000000:00000000 00:00000000 00000000     0        0 123456 ...":
    // sl, local_address, rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode.
    internal static ulong FindSocketInode(string table, string local, string remote)
    {
        try
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 &&
                    fields[1].Equals(local, StringComparison.OrdinalIgnoreCase) &&
                    fields[2].Equals(remote, StringComparison.OrdinalIgnoreCase) &&
                    ulong.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                {
                    return inode;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // tcp6 is absent when IPv6 is disabled: a missing table holds no match.
        }

        return 0;
    }

    /// <summary>
    /// The kernel's text for an endpoint: the address as 32-bit words each printed in host byte
    /// order, a colon, the port; an IPv4 address appears in tcp6 as <c>::ffff:a.b.c.d</c>.
    /// </summary>
    internal static string ToKernelText(IPEndPoint endPoint, bool v6)
    {
        var address = v6 ? endPoint.Address.MapToIPv6() : endPoint.Address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        var text = new StringBuilder(bytes.Length * 2 + 5);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            for (var i = 0; i < 4; i++)
            {
                var b = bytes[word + (BitConverter.IsLittleEndian ? 3 - i : i)];
                text.Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.Append(':').Append(endPoint.Port.ToString("X4", CultureInfo.InvariantCulture)).ToString();
    }

    private static bool OwnsSocketInode(ulong inode)
    {
        var expected = $"socket:[{inode.ToString(CultureInfo.InvariantCulture)}]";
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == expected)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // The descriptor was closed while we looked: it is not the live socket we seek.
            }
        }

        return false;
    }
}
