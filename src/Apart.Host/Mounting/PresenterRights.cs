using Apart.Abstractions;
using Apart.Host.Native;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Host.Mounting;

/// <summary>
/// What a presenter that is not root may mount: only images it could read itself, and only onto
/// a directory of its own. The core reads images as root; this keeps it from lending that to a
/// user (a mounted image of <c>/root</c>'s backups, or one mounted over someone else's directory).
/// Permission bits are judged as the kernel would without ACLs: by the owner's, the group's (any of
/// the user's groups) or the others' bits.
/// </summary>
/// <param name="Uid">The presenter's user.</param>
/// <param name="Groups">Every group it is in.</param>
internal sealed record PresenterRights(uint Uid, IReadOnlySet<uint> Groups)
{
    /// <summary>The rights of a presenter; null when it is root (or not known by a uid: a TCP presenter), which may mount anything.</summary>
    public static PresenterRights? Of(PeerCredentials? presenter) =>
        presenter is { Uid: not 0 and not uint.MaxValue } peer ? new PresenterRights(peer.Uid, Users.Groups(peer.Uid, peer.Gid)) : null;

    /// <summary>
    /// Whether this user could read the file at <paramref name="path"/> (absolute): search permission
    /// on every directory on the way to it, read permission on it. Symbolic links on the way are
    /// followed as the kernel would, and the directories they lead through count.
    /// </summary>
    public bool MayRead(string path)
    {
        if (Resolved(path) is not { } real)
        {
            return false;
        }

        return NativeFile.LinkStat(real) is { } file && Allows(file, UnixFileMode.UserRead, UnixFileMode.GroupRead, UnixFileMode.OtherRead);
    }

    /// <summary>Whether this user owns the directory (or file) <paramref name="st"/> describes.</summary>
    public bool Owns(stat st) => (uint)st.st_uid == Uid;

    // The path without symbolic links (as realpath(3) gives it), every link on the way checked for
    // search permission on the directory that holds it; null when something on the way cannot be
    // searched by this user, does not exist, or the links loop.
    private string? Resolved(string path)
    {
        const int MaxLinks = 40; // the kernel's limit
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = "/";
        var links = 0;
        while (pending.TryPop(out var name))
        {
            if (name == ".")
            {
                continue;
            }

            if (name == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            if (NativeFile.LinkStat(resolved) is not { } holder || !Allows(holder, UnixFileMode.UserExecute, UnixFileMode.GroupExecute, UnixFileMode.OtherExecute))
            {
                return null;
            }

            var next = Path.Join(resolved, name);
            if (NativeFile.LinkStat(next) is not { } st)
            {
                return null;
            }

            if ((st.st_mode & S_IFMT) != S_IFLNK)
            {
                resolved = next;
                continue;
            }

            if (++links > MaxLinks || new FileInfo(next).LinkTarget is not { } target)
            {
                return null;
            }

            foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(part);
            }

            if (target.StartsWith('/'))
            {
                resolved = "/";
            }
        }

        return resolved;
    }

    private bool Allows(stat st, UnixFileMode user, UnixFileMode group, UnixFileMode other)
    {
        var mode = (UnixFileMode)(int)(uint)st.st_mode;
        var needed = (uint)st.st_uid == Uid ? user : Groups.Contains((uint)st.st_gid) ? group : other;
        return (mode & needed) == needed;
    }
}
