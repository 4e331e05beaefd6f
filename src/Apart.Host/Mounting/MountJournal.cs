using System.Globalization;
using Apart.Host.Jobs;
using Apart.Host.Native;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Mounting;

/// <summary>
/// Remembers, on disk, every step of every image mount a core makes, each written down before it
/// is taken, so that after a core is killed outright the next one undoes exactly those: lazily
/// unmounts the image's filesystem, detaches its loop device, unmounts the dead FUSE mount and
/// removes the directories the core made — not another running core's, and nothing someone else
/// mounted or made meanwhile.
/// </summary>
/// <remarks>
/// One small file per mount in the state directory: the owner's pid and start time (as
/// <see cref="InProgressJournal"/> records them), then one line per step, <c>STEP PATH</c>. A
/// record whose owner is gone is stale. Its filesystem mount is unmounted only if what is mounted
/// there still comes from a loop device backed by the record's FUSE file; loop devices are
/// detached only if they are backed by that file; the FUSE mount only if it is still ours
/// (<see cref="FuseServer.FsType"/>); directories only if empty.
/// </remarks>
internal sealed class MountJournal(string directory, ILogger<MountJournal> logger)
{
    /// <summary>The journal's folder under the state directory.</summary>
    internal const string Folder = "image-mounts";

    private const string Suffix = ".mount";

    /// <summary>Starts the record of a mount (its id names the file).</summary>
    public MountRecord Begin(string id)
    {
        var path = Path.Join(directory, $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{id}{Suffix}");
        var record = new MountRecord(path, directory, logger);
        record.Write(ProcessIdentity.Current + "\n", append: false);
        return record;
    }

    /// <summary>Undoes the mounts of cores that died with images mounted, and removes their records.</summary>
    public void RemoveStale()
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var recordPath in Directory.EnumerateFiles(directory, "*" + Suffix))
        {
            try
            {
                var lines = File.ReadAllLines(recordPath);
                if (lines.Length == 0 || ProcessIdentity.IsAlive(lines[0]))
                {
                    continue;
                }

                Undo(lines.Skip(1).Select(MountRecord.Parse).OfType<(MountStep, string)>().ToList());
                File.Delete(recordPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.JournalUnavailable(directory, e.Message);
            }
        }
    }

    private void Undo(List<(MountStep Step, string Path)> steps)
    {
        var fuse = steps.Where(step => step.Step == MountStep.Fuse).Select(step => step.Path).FirstOrDefault();
        var file = fuse is null ? null : Path.Join(fuse, DeviceFileSystem.FileName);
        foreach (var (step, path) in Enumerable.Reverse(steps))
        {
            switch (step)
            {
                case MountStep.Mount when file is not null && Mounts.At(path) is { } mounted && LoopBackedBy(mounted.Source, file):
                    _ = Mounts.Unmount(path, lazy: true);
                    logger.StaleMountRemoved("the mount", path);
                    break;
                case MountStep.Fuse:
                    foreach (var loop in LoopsBackedBy(path))
                    {
                        if (LoopDevice.Detach(loop))
                        {
                            logger.StaleLoopDetached($"/dev/loop{loop.ToString(CultureInfo.InvariantCulture)}");
                        }
                    }

                    if (Mounts.At(path)?.FsType == FuseServer.FsType)
                    {
                        _ = Mounts.Unmount(path, lazy: true);
                        logger.StaleMountRemoved("the FUSE mount", path);
                    }

                    break;
                case MountStep.Directory when Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any():
                    Directory.Delete(path);
                    logger.StaleMountRemoved("the directory", path);
                    break;
            }
        }
    }

    private static bool LoopBackedBy(string device, string file) =>
        device.StartsWith("/dev/loop", StringComparison.Ordinal)
        && int.TryParse(device["/dev/loop".Length..], CultureInfo.InvariantCulture, out var number)
        && LoopsBackedBy(Path.GetDirectoryName(file)!).Contains(number);

    // The loop devices attached now whose backing file is the FUSE file under this directory.
    private static List<int> LoopsBackedBy(string fuseDirectory)
    {
        var file = Path.Join(fuseDirectory, DeviceFileSystem.FileName);
        var found = new List<int>();
        foreach (var device in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            var backing = Path.Join(device, "loop", "backing_file");
            try
            {
                if (File.Exists(backing) && File.ReadAllText(backing).Trim() == file
                    && int.TryParse(Path.GetFileName(device)["loop".Length..], CultureInfo.InvariantCulture, out var number))
                {
                    found.Add(number);
                }
            }
            catch (IOException)
            {
                // Detached while we looked.
            }
        }

        return found;
    }
}

/// <summary>A step of mounting an image, as the journal names it.</summary>
internal enum MountStep
{
    /// <summary>A directory the core made (removed again when empty).</summary>
    Directory,

    /// <summary>The FUSE server's mount, whose file backs the loop device.</summary>
    Fuse,

    /// <summary>The image's filesystem mounted from the loop device.</summary>
    Mount,
}

/// <summary>The journal's record of one mount: each step is noted before it is taken.</summary>
internal sealed class MountRecord(string path, string directory, ILogger logger)
{
    /// <summary>Notes a step about to be taken at <paramref name="at"/>.</summary>
    public void Note(MountStep step, string at) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"{step.ToString().ToLowerInvariant()} {at}\n"), append: true);

    /// <summary>Forgets the mount: everything it did has been undone.</summary>
    public void Remove()
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.JournalUnavailable(directory, e.Message);
        }
    }

    /// <summary>A line of a record: its step and path, or null when it is not one.</summary>
    internal static (MountStep, string)? Parse(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && Enum.TryParse<MountStep>(line[..space], ignoreCase: true, out var step) && Path.IsPathFullyQualified(line[(space + 1)..])
            ? (step, line[(space + 1)..])
            : null;
    }

    internal void Write(string text, bool append)
    {
        try
        {
            Directory.CreateDirectory(directory);
            if (append)
            {
                File.AppendAllText(path, text);
            }
            else
            {
                File.WriteAllText(path, text);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without a record this core still undoes the mount on any failure it lives through;
            // only a crash would leave it. Not a reason to refuse the mount.
            logger.JournalUnavailable(directory, e.Message);
        }
    }
}
