using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Cli.Browsing;

/// <summary>
/// Copies a file, a symbolic link or a directory tree out of a mounted image, as <c>cp -a</c> would
/// but for ownership: contents, permission bits and modification times are kept, symbolic links
/// stay links, and everything belongs to whoever copies. Nothing that exists is overwritten. A file
/// the image cannot give (a damaged image reads with I/O errors there) is reported, removed, and
/// the copy goes on with the rest; devices, pipes and sockets are reported and left out.
/// </summary>
/// <param name="problems">Told each file that could not be copied, and why.</param>
internal sealed class TreeCopier(Action<string> problems)
{
    private const int BufferBytes = 1 << 20;

    /// <summary>Files copied.</summary>
    public int Files { get; private set; }

    /// <summary>Bytes of file contents copied.</summary>
    public long Bytes { get; private set; }

    /// <summary>What could not be copied.</summary>
    public int Failed { get; private set; }

    /// <summary>Copies <paramref name="source"/> (not followed, if a link) to <paramref name="destination"/>, which must not exist.</summary>
    /// <param name="source">The path on this machine, inside the mount.</param>
    /// <param name="destination">Where the copy goes.</param>
    /// <param name="shown">How <paramref name="source"/> is named to people (its path inside the image).</param>
    /// <param name="cancellationToken">Stops the copy between files and buffers.</param>
    public void Copy(string source, string destination, string shown, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = ListedEntry.Of(source, Path.GetFileName(source));
        switch (entry.Type)
        {
            case EntryType.Symlink:
                File.CreateSymbolicLink(destination, entry.Target!);
                SetTimes(destination, entry.Modified, followLink: false);
                Files++;
                break;
            case EntryType.File:
                CopyFile(source, destination, entry, shown, cancellationToken);
                break;
            case EntryType.Directory:
                Directory.CreateDirectory(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                IEnumerable<string> children;
                try
                {
                    children = Directory.EnumerateFileSystemEntries(source).Order(StringComparer.Ordinal).ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Problem(shown, e.Message);
                    children = [];
                }

                foreach (var child in children)
                {
                    var name = Path.GetFileName(child);
                    Copy(child, Path.Join(destination, name), shown.TrimEnd('/') + "/" + name, cancellationToken);
                }

                File.SetUnixFileMode(destination, (UnixFileMode)entry.Mode);
                SetTimes(destination, entry.Modified, followLink: true);
                break;
            default:
                Problem(shown, "a device, pipe or socket: left out");
                break;
        }
    }

    private void CopyFile(string source, string destination, ListedEntry entry, string shown, CancellationToken cancellationToken)
    {
        // Made new (O_EXCL) before anything is read: only a file this copy made is ever removed.
        var output = new FileStream(destination, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 0,
        });
        try
        {
            using (output)
            using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0))
            {
                var buffer = new byte[BufferBytes];
                int read;
                while ((read = input.Read(buffer)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    output.Write(buffer, 0, read);
                    Bytes += read;
                }
            }

            File.SetUnixFileMode(destination, (UnixFileMode)entry.Mode);
            SetTimes(destination, entry.Modified, followLink: true);
            Files++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(destination);
            Problem(shown, e.Message);
        }
        catch
        {
            File.Delete(destination);
            throw;
        }
    }

    private void Problem(string shown, string reason)
    {
        Failed++;
        problems($"{shown}: {reason.TrimEnd('.')}");
    }

    private static unsafe void SetTimes(string path, DateTimeOffset modified, bool followLink)
    {
        var nanoseconds = (modified - DateTimeOffset.UnixEpoch).Ticks % TimeSpan.TicksPerSecond * 100;
        var times = stackalloc timespec[2];
        times[0] = new timespec { tv_sec = 0, tv_nsec = UTIME_OMIT };
        times[1] = new timespec { tv_sec = modified.ToUnixTimeSeconds(), tv_nsec = (long_t)nanoseconds };
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
        {
            if (utimensat(AT_FDCWD, p, times, followLink ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw new IOException($"Cannot set the time of {path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}.");
            }
        }
    }
}
