using System.Text;
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
        fixed (byte* p = NullTerminated(path))
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

    /// <summary>Gives the socket file mode 0600: only its owner may connect.</summary>
    public static unsafe void RestrictToOwner(string path)
    {
        const ushort ownerReadWrite = 0x180; // 0600
        fixed (byte* p = NullTerminated(path))
        {
            if (LibC.fchmodat(LibC.AT_FDCWD, p, ownerReadWrite, LibC.AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw Failure("chmod", path, LibC.errno);
            }
        }
    }

    /// <summary>Removes the file at <paramref name="path"/>; a missing file is not an error.</summary>
    public static unsafe void Remove(string path)
    {
        fixed (byte* p = NullTerminated(path))
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

    private static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static IOException Failure(string operation, string path, int errno) =>
        new($"{operation} {path} failed with errno {errno}.");
}
