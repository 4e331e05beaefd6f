using Apart.Abstractions;
using Apart.Host.Codecs;
using Apart.Host.Jobs;
using Apart.Host.Native;
using Apart.Protocol;
using static Tmds.Linux.LibC;

namespace Apart.Host.Mounting;

/// <summary>
/// Finds the image a <c>mount-image</c> request names and checks everything that can be checked
/// before anything is opened (docs/PROTOCOL.md §11): an Apart image file, a partition image's first
/// piece, or a partition of an image directory; complete, its pieces all there at their recorded
/// sizes, of a codec this core reads in place, readable by a presenter that is not root; and the
/// mount point, if one is named. Every refusal is an <see cref="ImageMountException"/> saying why.
/// </summary>
internal sealed class MountableImages(CodecCatalog codecs, IEnumerable<IRandomAccessCodec> randomAccess, IServiceProvider plugins)
{
    private readonly List<IRandomAccessCodec> _randomAccess = [.. randomAccess];

    /// <summary>The image and its mount point, checked.</summary>
    /// <param name="request">What the presenter asked for.</param>
    /// <param name="rights">A presenter that is not root; null for root.</param>
    /// <param name="cancellationToken">Stops reading an image directory.</param>
    public async Task<MountableImage> FindAsync(MountImageRequest request, PresenterRights? rights, CancellationToken cancellationToken)
    {
        var source = request.Source;
        if (!source.StartsWith('/') || source.Contains('\0', StringComparison.Ordinal))
        {
            throw new ImageMountException($"The image path {Quote(source)} must be an absolute path.");
        }

        var path = Path.TrimEndingDirectorySeparator(source);
        if (path.EndsWith(ImageName.InProgressSuffix, StringComparison.Ordinal))
        {
            throw new ImageMountException($"{Quote(source)} is still being written (or was left unfinished): only a complete image can be mounted.");
        }

        var st = NativeFile.LinkStat(path) ?? throw new ImageMountException($"The image {Quote(source)} does not exist.");
        var kind = st.st_mode & S_IFMT;
        var (format, extension, pieces, fsType) = kind switch
        {
            _ when kind == S_IFDIR => await PartitionOfDirectoryAsync(path, request.Part, cancellationToken).ConfigureAwait(false),
            _ when kind == S_IFREG && request.Part is not null => throw new ImageMountException(
                $"{Quote(source)} is an image file: 'part' names a partition of an image directory only."),
            _ when kind == S_IFREG => await ImageFileAsync(path, cancellationToken).ConfigureAwait(false),
            _ => throw new ImageMountException($"{Quote(source)} is not an image: not a regular file or directory."),
        };

        var compressor = codecs.ByExtension(extension)
            ?? throw new ImageMountException($"{Quote(source)} uses an unknown compression, '{Printable.Bounded(extension)}'.");
        if (!_randomAccess.Any(codec => codec.Name == compressor.Name))
        {
            throw new ImageMountException($"{Quote(source)} is compressed with {compressor.Name}, which this core cannot read in place: no plugin gives {compressor.Name} images random access.");
        }

        if (rights is not null && pieces.FirstOrDefault(piece => !rights.MayRead(piece)) is { } unreadable)
        {
            throw new ImageMountException($"{Quote(unreadable)} cannot be read by uid {rights.Uid}: a presenter that is not root may only mount images it can read itself.");
        }

        if (request.MountPoint is { } mountPoint)
        {
            CheckMountPoint(mountPoint, rights);
        }

        return new MountableImage(source, format, compressor.Name, pieces, fsType);
    }

    private async Task<(string Format, string Extension, IReadOnlyList<string> Pieces, string FsType)> ImageFileAsync(string path, CancellationToken cancellationToken)
    {
        if (ImageName.Parse(Path.GetFileName(path)) is { } name)
        {
            return (name.Variant, name.Extension, [path], name.Variant);
        }

        DiskImagePart? part;
        try
        {
            part = DiskImager?.ReadPartition(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ImageMountException($"{Quote(path)} cannot be read: {Sentence(e.Message)}");
        }

        if (part is not { Format: { } format, CodecExtension: { } extension } || part.Pieces.Count == 0)
        {
            throw new ImageMountException($"{Quote(path)} is not named like an image ({ImageName.Form}, or a partition image's first piece).");
        }

        if (part.Pieces[0] != path)
        {
            throw new ImageMountException($"{Quote(path)} is one piece of a partition image: name its first piece, {part.Pieces[0]}.");
        }

        await CheckPiecesAsync(new DiskImage(Path.GetDirectoryName(path)!, null, null, 0, [part]), path, cancellationToken).ConfigureAwait(false);
        return (format, extension, part.Pieces, part.FsType ?? format);
    }

    private async Task<(string Format, string Extension, IReadOnlyList<string> Pieces, string FsType)> PartitionOfDirectoryAsync(
        string directory, string? name, CancellationToken cancellationToken)
    {
        DiskImage? image;
        try
        {
            image = DiskImager is { } diskImager ? await diskImager.ReadAsync(directory, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ImageMountException($"The image {Quote(directory)} cannot be read: {Sentence(e.Message)}");
        }

        if (image is null)
        {
            throw new ImageMountException($"{Quote(directory)} is a directory, not an image directory this core reads.");
        }

        var data = image.Parts.Where(part => part.Role == PartRole.Data).ToList();
        var names = data.Count == 0 ? "it has none" : "its partitions: " + string.Join(", ", data.Select(part => part.Name));
        if (name is null)
        {
            throw new ImageMountException($"{Quote(directory)} is an image directory: name the partition to mount ({names}).");
        }

        var chosen = data.FirstOrDefault(part => part.Name == name)
            ?? throw new ImageMountException($"The image {Quote(directory)} holds no partition {Printable.Bounded(name)} to mount ({names}).");
        if (chosen is not { Format: { } format, CodecExtension: { } extension } || chosen.Pieces.Count == 0)
        {
            throw new ImageMountException($"The image {Quote(directory)} cannot be used: the image of partition {chosen.Name} is missing.");
        }

        await CheckPiecesAsync(image with { Parts = [chosen] }, directory, cancellationToken).ConfigureAwait(false);
        return (format, extension, chosen.Pieces, chosen.FsType ?? format);
    }

    // Quick: every piece there at its recorded size (a truncated piece is named now, not as EIO later).
    private async Task CheckPiecesAsync(DiskImage image, string source, CancellationToken cancellationToken)
    {
        PieceCheck check;
        try
        {
            check = await DiskImager!.CheckPiecesAsync(image, contents: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new ImageMountException($"The image {Quote(source)} cannot be checked: {Sentence(e.Message)}");
        }

        if (check.Problem is { } problem)
        {
            throw new ImageMountException($"The image {Quote(source)} is damaged: {Sentence(problem)}");
        }
    }

    private static void CheckMountPoint(string mountPoint, PresenterRights? rights)
    {
        if (!mountPoint.StartsWith('/') || mountPoint.Contains('\0', StringComparison.Ordinal))
        {
            throw new ImageMountException($"The mount point {Quote(mountPoint)} must be an absolute path.");
        }

        var st = NativeFile.LinkStat(mountPoint) ?? throw new ImageMountException($"The mount point {Quote(mountPoint)} does not exist.");
        if ((st.st_mode & S_IFMT) != S_IFDIR)
        {
            throw new ImageMountException($"The mount point {Quote(mountPoint)} is not a directory.");
        }

        if (rights is not null && !rights.Owns(st))
        {
            throw new ImageMountException($"The mount point {Quote(mountPoint)} does not belong to uid {rights.Uid}: a presenter that is not root may only mount onto a directory of its own.");
        }

        bool empty;
        try
        {
            empty = !Directory.EnumerateFileSystemEntries(mountPoint).Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageMountException($"The mount point {Quote(mountPoint)} cannot be read: {Sentence(e.Message)}");
        }

        if (!empty)
        {
            throw new ImageMountException($"The mount point {Quote(mountPoint)} is not empty: mounting there would hide what it holds.");
        }
    }

    private IDiskImager? DiskImager => (IDiskImager?)plugins.GetService(typeof(IDiskImager));

    private static string Quote(string value) => Printable.Bounded(value);

    /// <summary>A message from elsewhere as the end of a sentence: one full stop.</summary>
    internal static string Sentence(string message) => message.TrimEnd().TrimEnd('.') + ".";
}
