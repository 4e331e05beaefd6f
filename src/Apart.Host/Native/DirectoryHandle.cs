using Apart.Abstractions;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>
/// An open directory. Files are created, renamed and removed relative to it, so what the core
/// checked is what it acts on even if the path is renamed or swapped for a symlink meanwhile.
/// </summary>
internal sealed unsafe class DirectoryHandle : IDisposable
{
    private readonly SafeFileHandle _handle;

    private DirectoryHandle(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The directory's path as given.</summary>
    public string Path { get; }

    /// <summary>Opens an existing directory (following symlinks: the user may point at one).</summary>
    public static DirectoryHandle Open(string path) => new(path, NativeFile.Open(path, O_RDONLY | O_DIRECTORY));

    /// <summary>
    /// Creates a new file for writing, never replacing anything (O_EXCL, which also refuses a
    /// symlink planted at the name), readable by its owner only.
    /// </summary>
    public SafeFileHandle CreateNew(string name, UnixFileMode mode) =>
        NativeFile.OpenAt(_handle, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, (int)mode);

    /// <summary>The open directory's descriptor (to record it in the journal).</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>
    /// Makes a new directory in this one (never over anything already there) and opens it; its
    /// mode is set after it is made, so the process's umask cannot change it.
    /// </summary>
    public DirectoryHandle CreateDirectory(string name, UnixFileMode mode)
    {
        fixed (byte* p = NativeText.NullTerminated(name))
        {
            if (mkdirat(NativeFile.Fd(_handle), p, (mode_t)(int)mode) == -1)
            {
                throw Errno.Exception($"Cannot make {name} in {Path}", Errno.Last);
            }
        }

        var made = new DirectoryHandle(System.IO.Path.Join(Path, name), NativeFile.OpenAt(_handle, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        if (fchmod(NativeFile.Fd(made._handle), (mode_t)(int)mode) == -1)
        {
            var errno = Errno.Last;
            made.Dispose();
            throw Errno.Exception($"Cannot set the mode of {made.Path}", errno);
        }

        return made;
    }

    /// <summary>The names of the regular files in the directory (no link is followed).</summary>
    public IReadOnlyList<string> Files() =>
        new DirectoryInfo($"/proc/self/fd/{NativeFile.Fd(_handle)}").EnumerateFiles()
            .Where(file => file.LinkTarget is null)
            .Select(file => file.Name)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether the directory holds anything at all.</summary>
    public bool IsEmpty => !new DirectoryInfo($"/proc/self/fd/{NativeFile.Fd(_handle)}").EnumerateFileSystemInfos().Any();

    /// <summary>Removes an empty directory in this one; true when it was there.</summary>
    public bool RemoveDirectory(string name)
    {
        fixed (byte* p = NativeText.NullTerminated(name))
        {
            if (unlinkat(NativeFile.Fd(_handle), p, AT_REMOVEDIR) == 0)
            {
                return true;
            }
        }

        var errno = Errno.Last;
        return errno == ENOENT ? false : throw Errno.Exception($"Cannot remove {name} from {Path}", errno);
    }

    /// <summary>Opens an existing file for reading, not following a symlink at the name.</summary>
    public SafeFileHandle OpenRead(string name) => NativeFile.OpenAt(_handle, name, O_RDONLY | O_NOFOLLOW);

    /// <summary>Whether a name exists in the directory (as anything, even a dangling symlink).</summary>
    public bool Contains(string name)
    {
        stat st;
        fixed (byte* p = NativeText.NullTerminated(name))
        {
            return fstatat(NativeFile.Fd(_handle), p, &st, AT_SYMLINK_NOFOLLOW) == 0;
        }
    }

    /// <summary>
    /// Renames within the directory without ever replacing an existing file (RENAME_NOREPLACE).
    /// Filesystems without it (some FUSE ones) get a check-then-rename instead.
    /// </summary>
    public void RenameNoReplace(string from, string to)
    {
        fixed (byte* f = NativeText.NullTerminated(from))
        fixed (byte* t = NativeText.NullTerminated(to))
        {
            var fd = NativeFile.Fd(_handle);
            if (Libc.renameat2(fd, f, fd, t, Libc.RENAME_NOREPLACE) == 0)
            {
                return;
            }

            var errno = Errno.Last;
            if (errno != EINVAL && errno != ENOSYS)
            {
                throw Errno.Exception($"Cannot rename {from} to {to} in {Path}", errno);
            }

            if (Contains(to))
            {
                throw Errno.Exception($"Cannot rename {from} to {to} in {Path}", EEXIST);
            }

            if (Libc.renameat(fd, f, fd, t) == -1)
            {
                throw Errno.Exception($"Cannot rename {from} to {to} in {Path}", Errno.Last);
            }
        }
    }

    /// <summary>Removes a file; true when it was there.</summary>
    public bool Remove(string name)
    {
        fixed (byte* p = NativeText.NullTerminated(name))
        {
            if (unlinkat(NativeFile.Fd(_handle), p, 0) == 0)
            {
                return true;
            }
        }

        var errno = Errno.Last;
        return errno == ENOENT ? false : throw Errno.Exception($"Cannot remove {name} from {Path}", errno);
    }

    /// <summary>Whether the directory was removed since it was opened (no name links to it any more).</summary>
    public bool IsDeleted => NativeFile.Stat(_handle).st_nlink == 0;

    /// <summary>Flushes the directory itself, so a rename in it survives a power cut.</summary>
    public void Flush() => NativeFile.Fsync(_handle, Path);

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
