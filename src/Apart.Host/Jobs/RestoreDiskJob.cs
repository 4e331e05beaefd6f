using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// Writes an image directory back to a whole listed disk (docs/PROTOCOL.md §10): once every piece
/// is checked, the partition table and boot areas, then each partition (pieces → decompressor →
/// imager, through a loop device of the core's at the partition's place), swap made again, the
/// last filesystem grown when asked; the disk is flushed and the kernel asked to re-read its table.
/// </summary>
internal sealed class RestoreDiskJob : PieceReadingJob
{
    private readonly JobServices _services;
    private readonly IImager _imager;
    private readonly IDiskImager _diskImager;
    private readonly DiskImage _image;
    private readonly BlockDevice _disk;
    private readonly bool _grow;

    private RestoreDiskJob(JobTicket ticket, DiskImage image, Dictionary<string, ICompressor> codecs, BlockDevice disk, bool grow, JobServices services)
        : base(JobKind.RestoreDisk, ticket, image.Directory, disk.Path, codecs, services)
    {
        _services = services;
        _imager = services.Imager;
        _diskImager = services.DiskImager;
        _image = image;
        _disk = disk;
        _grow = grow;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => [_image.Directory];

    /// <inheritdoc/>
    public override string? Device => Destination;

    /// <summary>
    /// Every check before a byte is written: the image is a disk image this machine can restore,
    /// every piece of it is there at its recorded size; the destination is a listed whole device,
    /// none of it mounted nor held, at least as large as the image's partitions need.
    /// </summary>
    public static async Task<Job> CreateAsync(JobTicket ticket, RestoreDiskRequest request, JobServices services, CancellationToken cancellationToken)
    {
        var (image, codecs) = await ReadImageAsync(request.Source, services, cancellationToken).ConfigureAwait(false);
        if (image.DiskName is null)
        {
            throw new JobFailedException($"{image.Directory} holds some partitions of a disk, not the disk (it has no partition table): restore each partition image with type: restore.");
        }

        var target = await services.ListedDiskAsync(request.Destination, "Destination", cancellationToken).ConfigureAwait(false);
        if (target.Parts.Where(part => part.Mounted).Select(part => part.DevicePath).ToList() is { Count: > 0 } mounted)
        {
            throw new JobFailedException($"Destination {target.DevicePath} has mounted partitions ({string.Join(", ", mounted)}): unmount them before restoring to the disk.");
        }

        var disk = DiskImages.Claim(target, "Destination", write: true);
        try
        {
            var available = disk.Size();
            if (image.RequiredSize > available)
            {
                throw new JobFailedException(
                    $"Destination {target.DevicePath} is too small: the image's partitions need {image.RequiredSize} bytes ({Bytes.Human(image.RequiredSize)}), "
                    + $"the device has {available} bytes ({Bytes.Human(available)}).");
            }

            return new RestoreDiskJob(ticket, image, codecs, disk, request.Grow == true, services);
        }
        catch
        {
            disk.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an image directory and checks it can be used here: every data partition has an image
    /// this machine's imager and codecs read, and every piece is there at its recorded size. The
    /// image, and each data partition's codec by its name.
    /// </summary>
    internal static async Task<(DiskImage Image, Dictionary<string, ICompressor> Codecs)> ReadImageAsync(string path, JobServices services, CancellationToken cancellationToken)
    {
        if (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new JobFailedException($"The image path {JobServices.Quote(path)} must be an absolute path.");
        }

        var st = NativeFile.LinkStat(path);
        if (st is null)
        {
            throw new JobFailedException($"The image {JobServices.Quote(path)} does not exist.");
        }

        if ((st.Value.st_mode & S_IFMT) != S_IFDIR)
        {
            throw new JobFailedException($"{JobServices.Quote(path)} is not an image directory (a partition image is restored with type: restore).");
        }

        var diskImager = services.DiskImager;
        var image = await DiskImages.PluginStepAsync($"The image {JobServices.Quote(path)} cannot be read", () => diskImager.ReadAsync(path, cancellationToken)).ConfigureAwait(false)
            ?? throw new JobFailedException($"{JobServices.Quote(path)} is not an image directory this core reads.");
        var codecs = new Dictionary<string, ICompressor>(StringComparer.Ordinal);
        foreach (var part in image.Parts.Where(part => part.Role == PartRole.Data))
        {
            if (part.Format is not { } format || part.CodecExtension is not { } extension || part.Pieces.Count == 0)
            {
                throw new JobFailedException($"The image {image.Directory} cannot be used: the image of partition {part.Name} is missing.");
            }

            var codec = services.Codecs.ByExtension(extension)
                ?? throw new JobFailedException($"The image of partition {part.Name} uses an unknown compression, '{extension}'.");
            if (!services.Codecs.IsAvailable(codec))
            {
                throw new JobFailedException($"The image of partition {part.Name} is compressed with {codec.Name}, whose program is not installed.");
            }

            if (services.Imager.CannotRead(format) is { } unreadable)
            {
                throw new JobFailedException($"The image of partition {part.Name} is a {format} image, which this machine cannot read: {unreadable}.");
            }

            codecs[part.Name] = codec;
        }

        var check = await DiskImages.PluginStepAsync("The image's pieces cannot be checked", () => diskImager.CheckPiecesAsync(image, contents: false, cancellationToken)).ConfigureAwait(false);
        return check.Problem is { } problem
            ? throw new JobFailedException($"The image {image.Directory} cannot be used: {problem}.")
            : (image, codecs);
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        // Every checksum the image records, before the first byte of the disk is written.
        var check = await DiskImages.PluginStepAsync("The image's pieces cannot be checked", () => _diskImager.CheckPiecesAsync(_image, contents: true, cancellationToken)).ConfigureAwait(false);
        if (check.Problem is { } problem)
        {
            throw new JobFailedException($"The image {_image.Directory} cannot be used: {problem}.");
        }

        var data = _image.Parts.Where(part => part.Role == PartRole.Data).ToList();

        // Without checksums, only each partition's own check can tell its image is whole: run it first.
        var checking = !check.Recorded;
        var progress = new StepProgress((checking ? data.Concat(data) : data).Select(part => part.Size), _services.Time);
        if (checking)
        {
            for (var step = 0; step < data.Count; step++)
            {
                progress.Begin(step);
                await CheckPartitionAsync(data[step], progress, cancellationToken).ConfigureAwait(false);
            }
        }

        var disk = new DeviceExtent(_disk.Path, _disk.Size());
        var written = await DiskImages.PluginStepAsync(
            $"The partition table cannot be written to {_disk.Path}",
            () => _diskImager.RestoreLayoutAsync(_image, disk, _grow, cancellationToken)).ConfigureAwait(false);
        var grown = _grow ? written.Where(part => part.Role != PartRole.Container).MaxBy(part => part.Start + part.Size) : null;
        var notes = new List<string>();
        var offset = checking ? data.Count : 0;
        for (var i = 0; i < _image.Parts.Count; i++)
        {
            var (saved, target) = (_image.Parts[i], written[i]);
            if (saved.Role == PartRole.Data)
            {
                var step = offset + data.IndexOf(saved);
                progress.Begin(step);
                ReportPart("/dev/" + target.Name);
                await RestorePartitionAsync(saved, target, progress, cancellationToken).ConfigureAwait(false);
                if (target == grown && saved.Size < target.Size
                    && await PartGrowth.GrowAsync(_imager, saved.Format!, target.Name, () => DiskImages.Map(_services.Loops, _disk, target, writable: true, exclusive: false), cancellationToken).ConfigureAwait(false) is { } note)
                {
                    notes.Add(note);
                }

                Report(progress.StepDone());
            }
            else if (saved.Role == PartRole.Swap)
            {
                // mkswap opens its device exclusively: the mapping must not be held.
                using var mapping = DiskImages.Map(_services.Loops, _disk, target, writable: true, exclusive: false);
                await DiskImages.PluginStepAsync($"Swap on {target.Name} cannot be made again", () => _diskImager.RestoreSwapAsync(saved, mapping.Extent, cancellationToken)).ConfigureAwait(false);
                mapping.Flush();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        ReportSyncing();
        _disk.Flush();

        // Where the kernel reads tables, it should see the new one; where it does not (or cannot now), nothing is lost.
        _ = _disk.RereadPartitions();
        return Succeeded() with { Note = notes.Count == 0 ? null : string.Join(" ", notes) };
    }

    /// <inheritdoc/>
    protected override void Release(bool succeeded) => _disk.Dispose();

    private async Task RestorePartitionAsync(DiskImagePart saved, DiskImagePart target, StepProgress progress, CancellationToken cancellationToken)
    {
        using var mapping = DiskImages.Map(_services.Loops, _disk, target, writable: true);
        var imaging = _imager.Restore(saved.Format!, mapping.Extent);
        var result = await RunOverPiecesAsync(saved, imaging, progress, cancellationToken).ConfigureAwait(false);
        var imager = result.Stages[^1];
        var upstream = result.Stages.Take(result.Stages.Count - 1).ToList();
        if (imager.Exit.Succeeded && upstream.Any(stage => stage.Exit.BrokenPipe) && upstream.All(stage => stage.Exit.Succeeded || stage.Exit.BrokenPipe))
        {
            throw new JobFailedException($"Partition {target.Name} ({Bytes.Human(target.Size)}) is smaller than its image: {imager.Program} stopped before the image's end.");
        }

        if (!result.Succeeded)
        {
            throw new JobFailedException($"Restoring {target.Name} failed: {FailureExplainer.Explain(result, stage => stage == imager ? imaging.Progress.LastLines : null)}");
        }

        await _imager.CompleteRestoreAsync(saved.Format!, mapping.Extent, cancellationToken).ConfigureAwait(false);
        mapping.Flush();
    }
}
