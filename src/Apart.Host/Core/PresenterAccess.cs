using System.Globalization;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Core;

/// <summary>
/// Who may drive a service-mode core through its Unix socket: root and the members of one group.
/// The group is checked on the connecting process itself (its group and supplementary groups,
/// from /proc), so a user added to the group counts from their next login, as everywhere else.
/// </summary>
internal sealed class PresenterAccess(uint groupId)
{
    /// <summary>The group whose members are admitted.</summary>
    public uint GroupId { get; } = groupId;

    /// <summary>
    /// How a service listens: socket mode and group from its settings, every connection admitted
    /// by this policy and each refused process logged once (a libzmq client retries every 100 ms).
    /// </summary>
    public static ListenOptions ListenOptionsFor(ServiceOptions service, ILogger logger)
    {
        var group = FindGroup(service.SocketGroup);
        if (group is null)
        {
            logger.GroupMissing(service.SocketGroup);
        }

        var access = new PresenterAccess(group ?? 0);
        var lastRefused = 0;
        return new ListenOptions
        {
            Admit = peer =>
            {
                var admitted = access.Admits(peer);
                if (!admitted && Interlocked.Exchange(ref lastRefused, peer.Pid) != peer.Pid)
                {
                    logger.PresenterRefused(peer.Uid, peer.Pid, service.SocketGroup);
                }

                return admitted;
            },
            SocketGroupId = group,
            SocketMode = service.SocketMode ?? FileModes.OwnerAndGroup,
            CurveSecretKey = service.CurveSecretKey,
        };
    }

    /// <summary>The id of a group named in /etc/group, or null when there is none.</summary>
    public static uint? FindGroup(string name, string groupFile = "/etc/group")
    {
        if (!File.Exists(groupFile))
        {
            return null;
        }

        foreach (var line in File.ReadLines(groupFile))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>Whether a peer may connect.</summary>
    public bool Admits(PeerCredentials peer) =>
        peer.Uid == 0 || peer.Gid == GroupId || SupplementaryGroups(peer.Pid).Contains(GroupId);

    private static IReadOnlyList<uint> SupplementaryGroups(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Groups:", StringComparison.Ordinal));
            return line is null
                ? []
                : line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                    .Select(id => uint.Parse(id, CultureInfo.InvariantCulture))
                    .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return []; // the process is gone already: not a member of anything
        }
    }
}
