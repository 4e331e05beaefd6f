using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// Images a listed, unmounted part to <c>DIR/NAME-TIME.apt.VARIANT.EXT</c> (docs/PROTOCOL.md §4):
/// partclone → compressor → <c>.inprogress</c> file, then fsync, rename, fsync the directory.
/// </summary>
internal sealed class CloneJob : Job
{
    /// <summary>Less room than this left after a failed write means the destination filled up.</summary>
    internal const long FullThreshold = 1024 * 1024;

    private readonly JobServices _services;
    private readonly IImager _imager;
    private readonly string _format;
    private readonly ICompressor _codec;
    private readonly ClaimedPart? _claim;
    private readonly long _sourceSize;
    private readonly DirectoryHandle _directory;
    private readonly ImageName _image;
    private readonly SafeFileHandle _file;
    private readonly InProgressJournal.Entry _journalEntry;
    private bool _renamed;

    private CloneJob(
        JobTicket ticket, PartDevice part, JobServices services, ICompressor codec, ClaimedPart? claim,
        DirectoryHandle directory, ImageName image, SafeFileHandle file, InProgressJournal.Entry journalEntry)
        : base(JobKind.Clone, ticket, part.DevicePath, Path.Join(directory.Path, image.FileName), services)
    {
        _services = services;
        _imager = services.Imager;
        _format = image.Variant;
        _codec = codec;
        _claim = claim;
        _sourceSize = claim?.Size() ?? part.Size;
        _directory = directory;
        _image = image;
        _file = file;
        _journalEntry = journalEntry;
        SetSourceUuid(part.Uuid);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => [Destination!, Destination + ImageName.InProgressSuffix];

    /// <inheritdoc/>
    public override string? Device => Source;

    /// <summary>
    /// Checks everything that can be checked before touching anything, then claims the source
    /// and creates the <c>.inprogress</c> file. Throws <see cref="JobFailedException"/> with the
    /// reason when the request cannot start.
    /// </summary>
    public static async Task<Job> CreateAsync(JobTicket ticket, CloneRequest request, JobServices services, CancellationToken cancellationToken)
    {
        var codec = CheckRequest(request.Name, request.Compression, request.Destination, services);
        var (disk, part) = await services.ListedPartAsync(request.Source, "Source", cancellationToken).ConfigureAwait(false);
        if (part.Mounted)
        {
            throw new JobFailedException($"Source {part.DevicePath} is mounted: unmount it before cloning.");
        }

        var imager = services.Imager;
        var directory = OpenDestination(request.Destination);
        ClaimedPart? claim = null;
        try
        {
            var localStart = TimeZoneInfo.ConvertTime(ticket.Start, services.Time.LocalTimeZone).DateTime;
            var image = new ImageName(request.Name, localStart, imager.FormatFor(part.FsType), codec.FileExtension);
            foreach (var name in new[] { image.FileName, image.InProgressFileName })
            {
                if (directory.Contains(name))
                {
                    throw new JobFailedException($"{Path.Join(directory.Path, name)} already exists; it is left as it is.");
                }
            }

            claim = ClaimSource(disk, part, services.Loops);
            var file = CreateImageFile(directory, image);
            var journalEntry = services.Journal.Record(Path.Join(directory.Path, image.InProgressFileName), file);
            return new CloneJob(ticket, part, services, codec, claim, directory, image, file, journalEntry);
        }
        catch
        {
            claim?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        var imaging = _imager.Clone(_format, _claim?.Extent ?? new DeviceExtent(Source, _sourceSize));
        var stages = new List<Pipeline.Stage> { ImagingStage(imaging) };
        if (_codec.Compress is { } compress)
        {
            stages.Add(new Pipeline.Stage(compress));
        }

        PipelineResult result;
        using (var nothing = NativeFile.Open("/dev/null", O_RDONLY))
        {
            result = await Pipeline.Start(stages, nothing, _file).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            var reason = FailureExplainer.Explain(result, stage => stage == result.Stages[0] ? imaging.Progress.LastLines : null);
            throw new JobFailedException(DestinationIsFull() && !reason.StartsWith(FailureExplainer.NoSpace, StringComparison.Ordinal)
                ? $"{FailureExplainer.NoSpace} in {_directory.Path}: {reason}"
                : reason);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ReportSyncing();
        _ = NativeFile.TrySetAttribute(_file, ImageAttributes.SourceSize, _sourceSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _ = Give(OwnerIn(_directory, Destination!), _file, Destination!);
        NativeFile.Fsync(_file, Destination!);
        var size = NativeFile.Stat(_file).st_size;
        try
        {
            _directory.RenameNoReplace(_image.InProgressFileName, _image.FileName);
        }
        catch (NativeIOException) when (_directory.IsDeleted)
        {
            throw new JobFailedException($"The destination directory {_directory.Path} was removed during the clone.");
        }

        _renamed = true;
        _directory.Flush();
        return Succeeded(size);
    }

    /// <inheritdoc/>
    protected override void Release(bool succeeded)
    {
        _file.Dispose();
        try
        {
            if (!_renamed)
            {
                _ = _directory.Remove(_image.InProgressFileName);
            }

            _services.Journal.Remove(_journalEntry);
        }
        finally
        {
            _claim?.Dispose();
            _directory.Dispose();
        }
    }

    /// <summary>
    /// The checks every clone request gets before anything is looked at: the name, the compression
    /// (its codec is returned) and the destination's path.
    /// </summary>
    internal static ICompressor CheckRequest(string name, string? compression, string destination, JobServices services)
    {
        if (ImageName.Problem(name) is { } nameProblem)
        {
            throw new JobFailedException(nameProblem);
        }

        var codecName = compression ?? CompressionOptions.Default;
        var codec = services.Codecs.ByName(codecName) ?? throw new JobFailedException(
            $"Compression {JobServices.Quote(codecName)} is not available; choose one of: {string.Join(", ", services.Codecs.Options)}.");
        return !destination.StartsWith('/') || destination.Contains('\0', StringComparison.Ordinal)
            ? throw new JobFailedException($"The destination {JobServices.Quote(destination)} must be an absolute path.")
            : codec;
    }

    // Not every compressor says why a write failed (lz4: "cannot write compressed block").
    private bool DestinationIsFull() => NativeFile.AvailableBytes(_file) < FullThreshold;

    /// <summary>Opens the destination directory; its refusal says why it cannot be.</summary>
    internal static DirectoryHandle OpenDestination(string path)
    {
        try
        {
            return DirectoryHandle.Open(path);
        }
        catch (NativeIOException e)
        {
            throw new JobFailedException(e.ErrorNumber == ENOENT
                ? $"The destination directory {JobServices.Quote(path)} does not exist."
                : e.ErrorNumber == ENOTDIR
                    ? $"The destination {JobServices.Quote(path)} is not a directory."
                    : $"The destination {JobServices.Quote(path)} cannot be opened: {Errno.Describe(e.ErrorNumber)}.");
        }
    }

    // Holding the source exclusively keeps it from being mounted, restored to or claimed while we read it.
    private static ClaimedPart? ClaimSource(SourceDevice disk, PartDevice part, LoopMapper loops)
    {
        try
        {
            return ClaimedPart.Claim(disk, part, write: false, loops);
        }
        catch (DeviceBusyException)
        {
            throw new JobFailedException($"Source {part.DevicePath} is in use (mounted, active swap, part of a RAID or LVM volume, or used by another job).");
        }
        catch (NativeIOException e) when (e.ErrorNumber == ENOENT)
        {
            // Listed but absent: only a stand-in lsblk lists such devices. Nothing to protect;
            // partclone (or its stand-in) reports what it finds.
            return null;
        }
        catch (IOException e)
        {
            throw new JobFailedException($"Source {part.DevicePath} cannot be read: {e.Message}");
        }
    }

    private static SafeFileHandle CreateImageFile(DirectoryHandle directory, ImageName image)
    {
        try
        {
            // Images hold whole filesystems, secrets included: owner-only.
            return directory.CreateNew(image.InProgressFileName, FileModes.OwnerOnly);
        }
        catch (NativeIOException e)
        {
            throw new JobFailedException(e.ErrorNumber == EEXIST
                ? $"{Path.Join(directory.Path, image.InProgressFileName)} already exists; it is left as it is."
                : $"Cannot create the image in {directory.Path}: {Errno.Describe(e.ErrorNumber)}.");
        }
    }
}
