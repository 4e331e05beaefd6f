using System.Globalization;
using Apart.Host.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Jobs;

/// <summary>
/// Remembers, on disk, every <c>.inprogress</c> image (file or disk image directory) a core is
/// writing and every loop device it has set up, so that after a core is killed outright (SIGKILL,
/// power cut) the next one removes exactly those — not another running core's, and not a file
/// someone else named <c>.inprogress</c> nor a loop device someone else set up.
/// </summary>
/// <remarks>
/// One small file per image in the state directory: the writer's pid and start time (so a
/// recycled pid is not mistaken for it), a token, the image's device and inode, and its path.
/// The token is also set on the image as an extended attribute. A record whose writer is gone is
/// stale: its file (or directory, with what is in it) is removed if it still carries the token
/// (or, on filesystems without xattrs, is still that device and inode — inode numbers can be
/// reused, tokens cannot), then the record. A loop device's record holds its number and what it
/// maps (offset, size); a stale one still mapping just that is detached.
/// </remarks>
internal sealed class InProgressJournal(string directory, ILogger<InProgressJournal> logger)
{
    private const string TokenAttribute = "user.apart.inprogress";

    private static readonly string Owner = ProcessIdentity.Current;

    /// <summary>A record of one image being written.</summary>
    public sealed record Entry(string RecordPath);

    /// <summary>Records an image file just created; returns the record to remove when done.</summary>
    public Entry Record(string imagePath, SafeFileHandle image)
    {
        var st = NativeFile.Stat(image);
        var token = Guid.NewGuid().ToString("N");
        var marked = NativeFile.TrySetAttribute(image, TokenAttribute, token);
        var recordPath = Path.Join(directory, $"{Environment.ProcessId}-{token}.record");
        try
        {
            Directory.CreateDirectory(directory);
            var text = string.Join('\n', Owner, marked ? token : "-", st.st_dev.ToString(), st.st_ino.ToString(), imagePath);
            File.WriteAllText(recordPath, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a record the image is still cleaned up by this core on any failure it
            // lives through; only a crash would leave it. Not a reason to refuse the clone.
            logger.JournalUnavailable(directory, e.Message);
        }

        return new Entry(recordPath);
    }

    /// <summary>Records a loop device the core set up over part of another device; returns what forgets it.</summary>
    public Action RecordLoop(int number, long offset, long size)
    {
        var recordPath = Path.Join(directory, $"{Environment.ProcessId}-loop{number.ToString(CultureInfo.InvariantCulture)}.loop");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(recordPath, string.Join('\n', Owner, number.ToString(CultureInfo.InvariantCulture), offset.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The device autoclears once nothing holds it; the record only covers a holder that outlives the core.
            logger.JournalUnavailable(directory, e.Message);
        }

        return () => Remove(new Entry(recordPath));
    }

    /// <summary>Forgets an image: it was renamed to its final name or removed.</summary>
    public void Remove(Entry entry)
    {
        try
        {
            File.Delete(entry.RecordPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.JournalUnavailable(directory, e.Message);
        }
    }

    /// <summary>Removes the images of cores that died while writing them, and their records.</summary>
    public void RemoveStale()
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var recordPath in Directory.EnumerateFiles(directory, "*.loop"))
        {
            try
            {
                var lines = File.ReadAllText(recordPath).Split('\n');
                if (lines.Length != 4 || ProcessIdentity.IsAlive(lines[0]))
                {
                    continue;
                }

                DetachIfSame(int.Parse(lines[1], CultureInfo.InvariantCulture), long.Parse(lines[2], CultureInfo.InvariantCulture), long.Parse(lines[3], CultureInfo.InvariantCulture));
                File.Delete(recordPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
            {
                logger.JournalUnavailable(directory, e.Message);
            }
        }

        foreach (var recordPath in Directory.EnumerateFiles(directory, "*.record"))
        {
            try
            {
                var lines = File.ReadAllText(recordPath).Split('\n', 5);
                if (lines.Length != 5 || ProcessIdentity.IsAlive(lines[0]))
                {
                    continue;
                }

                var token = lines[1] == "-" ? null : lines[1];
                RemoveIfSameFile(lines[4], token, ulong.Parse(lines[2], CultureInfo.InvariantCulture), ulong.Parse(lines[3], CultureInfo.InvariantCulture));
                File.Delete(recordPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
            {
                logger.JournalUnavailable(directory, e.Message);
            }
        }
    }

    private void RemoveIfSameFile(string imagePath, string? token, ulong device, ulong inode)
    {
        if (!imagePath.EndsWith(ImageName.InProgressSuffix, StringComparison.Ordinal))
        {
            return;
        }

        SafeFileHandle file;
        try
        {
            file = NativeFile.Open(imagePath, Tmds.Linux.LibC.O_RDONLY | Tmds.Linux.LibC.O_NOFOLLOW | Tmds.Linux.LibC.O_NONBLOCK);
        }
        catch (NativeIOException)
        {
            return; // gone already, or a symlink: not ours
        }

        bool isDirectory;
        using (file)
        {
            var found = NativeFile.Stat(file);
            var kind = found.st_mode & Tmds.Linux.LibC.S_IFMT;
            isDirectory = kind == Tmds.Linux.LibC.S_IFDIR;
            var same = (kind == Tmds.Linux.LibC.S_IFREG || isDirectory)
                && (ulong)found.st_dev == device
                && (ulong)found.st_ino == inode
                && (token is null || NativeFile.TryGetAttribute(file, TokenAttribute) == token);
            if (!same)
            {
                return;
            }
        }

        if (isDirectory)
        {
            // A disk image directory being written holds only the core's own files.
            Directory.Delete(imagePath, recursive: true);
        }
        else
        {
            File.Delete(imagePath);
        }

        logger.StaleImageRemoved(imagePath);
    }

    // A loop device of a dead core that still maps what it set up: detached.
    private void DetachIfSame(int number, long offset, long size)
    {
        var sys = $"/sys/block/loop{number.ToString(CultureInfo.InvariantCulture)}";
        var mapped = Path.Join(sys, "loop");
        if (!Directory.Exists(mapped)
            || File.ReadAllText(Path.Join(mapped, "offset")).Trim() != offset.ToString(CultureInfo.InvariantCulture)
            || File.ReadAllText(Path.Join(mapped, "sizelimit")).Trim() != size.ToString(CultureInfo.InvariantCulture))
        {
            return;
        }

        if (LoopDevice.Detach(number))
        {
            logger.StaleLoopDetached($"/dev/loop{number.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
