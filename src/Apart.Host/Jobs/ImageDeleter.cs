using Apart.Host.Native;
using Apart.Protocol;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// Deletes image files for <c>delete-clone</c> (docs/PROTOCOL.md §5): only regular files named like an
/// image, and never one a running job reads or writes.
/// </summary>
internal sealed class ImageDeleter(JobRegistry jobs)
{
    /// <summary>Deletes one image; the answer to send.</summary>
    public CoreEvent Delete(string file)
    {
        var reason = Refusal(file);
        if (reason is not null)
        {
            return new CloneDeleteFailed(file, reason);
        }

        try
        {
            using var directory = DirectoryHandle.Open(Path.GetDirectoryName(file)!);
            return directory.Remove(Path.GetFileName(file)) ? new CloneDeleted(file) : new CloneDeleteFailed(file, "No such file");
        }
        catch (NativeIOException e)
        {
            return new CloneDeleteFailed(file, e.ErrorNumber == ENOENT ? "No such file" : e.Message);
        }
    }

    private string? Refusal(string file)
    {
        if (!file.StartsWith('/') || file.EndsWith('/') || file.Contains('\0', StringComparison.Ordinal))
        {
            return "The file must be an absolute path to an image.";
        }

        if (ImageName.Parse(Path.GetFileName(file)) is null)
        {
            return $"Only image files ({ImageName.Form}) can be deleted.";
        }

        if (jobs.UsingFile(file) is { } job)
        {
            return $"The {MessageTypes.Job(job.Kind)} job {job.Id} is using this image; cancel it first.";
        }

        try
        {
            var st = NativeFile.LinkStat(file);
            return st is null ? "No such file"
                : (st.Value.st_mode & S_IFMT) != S_IFREG ? "Only regular files can be deleted; this is a directory, link or device."
                : null;
        }
        catch (NativeIOException e)
        {
            return e.Message;
        }
    }
}
