using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// Deletes images for <c>delete-clone</c> (docs/PROTOCOL.md §5): only regular files named like an
/// image, or image directories Apart made (named like one, holding only the files it recorded
/// writing), and never one a running job reads or writes.
/// </summary>
internal sealed class ImageDeleter(JobRegistry jobs, JobServices services)
{
    /// <summary>Deletes one image (file or directory); the answer to send. Never throws.</summary>
    public async Task<CoreEvent> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            if (Refusal(path) is { } reason)
            {
                return new CloneDeleteFailed(path, reason);
            }

            var st = NativeFile.LinkStat(path);
            return st is null ? new CloneDeleteFailed(path, "No such file")
                : (st.Value.st_mode & S_IFMT) == S_IFREG ? DeleteFile(path)
                : (st.Value.st_mode & S_IFMT) == S_IFDIR ? await DeleteDirectoryAsync(path, cancellationToken).ConfigureAwait(false)
                : new CloneDeleteFailed(path, "Only image files and image directories can be deleted; this is a link or a device.");
        }
        catch (OperationCanceledException)
        {
            return new CloneDeleteFailed(path, "The core is shutting down.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new CloneDeleteFailed(path, e is NativeIOException native && native.ErrorNumber == ENOENT ? "No such file" : e.Message);
        }
    }

    private static CoreEvent DeleteFile(string file)
    {
        if (ImageName.Parse(Path.GetFileName(file)) is null)
        {
            return new CloneDeleteFailed(file, $"Only image files ({ImageName.Form}) and image directories ({ImageName.DirectoryForm}) can be deleted.");
        }

        using var directory = DirectoryHandle.Open(Path.GetDirectoryName(file)!);
        return directory.Remove(Path.GetFileName(file)) ? new CloneDeleted(file) : new CloneDeleteFailed(file, "No such file");
    }

    // Exactly the files Apart recorded, then the directory: anything else in it (someone's own
    // file, another tool's image) and it is left whole.
    private async Task<CoreEvent> DeleteDirectoryAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        if (!ImageName.IsDirectoryName(name))
        {
            return new CloneDeleteFailed(path, $"Only image files ({ImageName.Form}) and image directories ({ImageName.DirectoryForm}) can be deleted.");
        }

        var image = services.DiskImagerIfAny is { } diskImager ? await diskImager.ReadAsync(path, cancellationToken).ConfigureAwait(false) : null;
        if (image is not { WrittenFiles.Count: > 0 })
        {
            return new CloneDeleteFailed(path, "Only image directories Apart made can be deleted; this one was made by another tool, or is not an image.");
        }

        using var parent = DirectoryHandle.Open(Path.GetDirectoryName(path)!);
        using var directory = DirectoryHandle.Open(path);
        var written = image.WrittenFiles.ToHashSet(StringComparer.Ordinal);
        var present = new DirectoryInfo(path).EnumerateFileSystemInfos().Select(entry => entry.Name).ToList();
        if (present.FirstOrDefault(entry => !written.Contains(entry) || !directory.Files().Contains(entry)) is { } stranger)
        {
            return new CloneDeleteFailed(path, $"{Path.Join(path, stranger)} is not a file Apart wrote there: the directory is left as it is.");
        }

        foreach (var file in present)
        {
            _ = directory.Remove(file);
        }

        return parent.RemoveDirectory(name) ? new CloneDeleted(path) : new CloneDeleteFailed(path, "No such file");
    }

    private string? Refusal(string path)
    {
        if (!path.StartsWith('/') || path.EndsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            return "The file must be an absolute path to an image.";
        }

        return jobs.UsingFile(path) is { } job ? $"The {MessageTypes.Job(job.Kind)} job {job.Id} is using this image; cancel it first." : null;
    }
}
