using System.Globalization;
using Apart.Abstractions;
using Apart.Host.Native;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// The user an image is given to: whoever asked for it. A presenter that is not root is that
/// user, by the kernel's word on its socket (a GUI in the user's session, a user in the group
/// <c>apart</c> driving the service). A root presenter of a core started through pkexec or sudo
/// is the user who started it (<c>PKEXEC_UID</c>, <c>SUDO_UID</c>). Anyone else is root, and
/// root's images stay root's. Only files the core itself created are ever given away, once they
/// are complete: nobody else can put anything into a directory the core is still writing.
/// </summary>
/// <param name="Uid">The user.</param>
/// <param name="Gid">Their group; null leaves the file's group as it is.</param>
internal sealed record ImageOwner(uint Uid, uint? Gid)
{
    /// <summary>The variables pkexec and sudo set to the user who ran them, with sudo's group.</summary>
    internal static readonly (string Uid, string? Gid)[] StarterVariables = [("PKEXEC_UID", null), ("SUDO_UID", "SUDO_GID")];

    /// <summary>
    /// Who the images a presenter asks for belong to: the presenter when it is not root, else
    /// <paramref name="startedFor"/>; null when they stay root's (or the core's own user's).
    /// </summary>
    public static ImageOwner? Of(PeerCredentials? presenter, ImageOwner? startedFor) =>
        presenter is { Uid: not 0 and not uint.MaxValue } peer ? new ImageOwner(peer.Uid, peer.Gid) : startedFor;

    /// <summary>
    /// The user who started the core through pkexec or sudo, from the variables they set; null
    /// when it was neither (or that user is root).
    /// </summary>
    /// <param name="environment">Reads a variable of the core's environment.</param>
    /// <param name="primaryGroup">A user's primary group, when the system knows the user.</param>
    public static ImageOwner? StartedFor(Func<string, string?> environment, Func<uint, uint?> primaryGroup)
    {
        foreach (var (uidVariable, gidVariable) in StarterVariables)
        {
            if (Id(environment(uidVariable)) is not { } uid)
            {
                continue;
            }

            return uid == 0 ? null : new ImageOwner(uid, (gidVariable is null ? null : Id(environment(gidVariable))) ?? primaryGroup(uid));
        }

        return null;
    }

    /// <summary>The core's own environment and the system's user database.</summary>
    public static ImageOwner? StartedForThisProcess() => StartedFor(Environment.GetEnvironmentVariable, Users.PrimaryGroup);

    /// <summary>
    /// Whether this user could have made a file in <paramref name="directory"/> themselves (write
    /// and search permission by its owner, group or other bits, as the kernel would decide without
    /// ACLs). Elsewhere (say /etc) an image stays root's: the core writes where its presenter may
    /// not, but never lends that to a user as files of their own there.
    /// </summary>
    public bool MayWriteIn(SafeFileHandle directory)
    {
        var st = NativeFile.Stat(directory);
        var needed = (uint)st.st_uid == Uid ? UnixFileMode.UserWrite | UnixFileMode.UserExecute
            : Users.Groups(Uid, Gid ?? Users.PrimaryGroup(Uid) ?? uint.MaxValue).Contains((uint)st.st_gid) ? UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            : UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return ((UnixFileMode)(int)(uint)st.st_mode & needed) == needed;
    }

    /// <summary>Gives an open file (or directory) the core created to this user; the reason when it cannot.</summary>
    public string? Give(SafeFileHandle handle)
    {
        if (fchown(NativeFile.Fd(handle), (uid_t)Uid, (gid_t)(Gid ?? uint.MaxValue)) == 0)
        {
            return null;
        }

        return Errno.Describe(Errno.Last);
    }

    private static uint? Id(string? text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != uint.MaxValue ? id : null;
}
