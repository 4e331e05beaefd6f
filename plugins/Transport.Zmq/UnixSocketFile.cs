using Apart.Abstractions;
using Tmds.Linux;

namespace Apart.Transport.Zmq;

/// <summary>
/// The filesystem side of a bound Unix socket: what is at its path, its mode, and removing it
/// again — only while the file there is still the one we created. Never follows a symlink.
/// </summary>
internal static class UnixSocketFile
{
    /// <summary>What is at a path, without following a symlink.</summary>
    public enum Kind
    {
        Missing,
        Socket,
        Other,
    }

    /// <summary>Which file a path named when we looked.</summary>
    public readonly record struct Identity(ulong Device, ulong Inode);

    public static unsafe Kind Inspect(string path, out Identity identity)
    {
        identity = default;
        stat status;
        int result;
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            result = LibC.lstat(p, &status);
        }

        if (result != 0)
        {
            var errno = LibC.errno;
            return errno == LibC.ENOENT ? Kind.Missing : throw Failure("lstat", path, errno);
        }

        identity = new Identity(status.st_dev, status.st_ino);
        return LibC.S_ISSOCK(status.st_mode) ? Kind.Socket : Kind.Other;
    }

    /// <summary>
    /// Sets who may connect: the socket file's mode (0600: its owner; 0660: and its group) and,
    /// when given, its group. Neither call follows a symlink.
    /// </summary>
    public static unsafe void SetAccess(string path, UnixFileMode mode, uint? groupId)
    {
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            if (groupId is { } gid && LibC.fchownat(LibC.AT_FDCWD, p, uint.MaxValue, gid, LibC.AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw Failure("chown", path, LibC.errno);
            }

            if (LibC.fchmodat(LibC.AT_FDCWD, p, (ushort)mode, LibC.AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw Failure("chmod", path, LibC.errno);
            }
        }
    }

    /// <summary>Removes the file at <paramref name="path"/>; a missing file is not an error.</summary>
    public static unsafe void Remove(string path)
    {
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            if (LibC.unlink(p) != 0 && LibC.errno != LibC.ENOENT)
            {
                throw Failure("unlink", path, LibC.errno);
            }
        }
    }

    /// <summary>Removes the socket file if it is still the one identified; true when it did.</summary>
    public static bool RemoveIfSame(string path, Identity identity)
    {
        if (Inspect(path, out var current) != Kind.Socket || current != identity)
        {
            return false;
        }

        Remove(path);
        return true;
    }

    private static IOException Failure(string operation, string path, int errno) =>
        new($"{operation} {path} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}.");
}
