using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// Saves a whole listed disk as an image directory <c>DIR/NAME-TIME-img</c> in the disk imaging
/// plugin's format (docs/PROTOCOL.md §10): its layout, then each data partition through imager →
/// compressor → the format's writer, into a <c>.inprogress</c> directory that is flushed, file by
/// file, and renamed when complete. A failure or cancel removes it whole.
/// </summary>
internal sealed class CloneDiskJob : Job
{
    private readonly JobServices _services;
    private readonly IImager _imager;
    private readonly IDiskImager _diskImager;
    private readonly ICompressor _codec;
    private readonly SourceDevice _source;
    private readonly BlockDevice _disk;
    private readonly DirectoryHandle _parent;
    private readonly string _name;
    private readonly DirectoryHandle _directory;
    private readonly InProgressJournal.Entry _journalEntry;
    private bool _renamed;

    private CloneDiskJob(
        JobTicket ticket, SourceDevice source, BlockDevice disk, ICompressor codec, DirectoryHandle parent, string name,
        DirectoryHandle directory, InProgressJournal.Entry journalEntry, JobServices services)
        : base(JobKind.CloneDisk, ticket, source.DevicePath, Path.Join(parent.Path, name), services)
    {
        _services = services;
        _imager = services.Imager;
        _diskImager = services.DiskImager;
        _codec = codec;
        _source = source;
        _disk = disk;
        _parent = parent;
        _name = name;
        _directory = directory;
        _journalEntry = journalEntry;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => [Destination!, _directory.Path];

    /// <inheritdoc/>
    public override string? Device => Source;

    private string InProgressName => _name + ImageName.InProgressSuffix;

    /// <summary>
    /// Every check before anything is written: the request, the disk (listed, with a table the
    /// format keeps, nothing of it mounted or held), each partition's format, the destination;
    /// then the disk is claimed and the <c>.inprogress</c> directory made.
    /// </summary>
    public static async Task<Job> CreateAsync(JobTicket ticket, CloneDiskRequest request, JobServices services, CancellationToken cancellationToken)
    {
        var codec = CloneJob.CheckRequest(request.Name, request.Compression, request.Destination, services);
        var diskImager = services.DiskImager;
        var imager = services.Imager;
        var source = await services.ListedDiskAsync(request.Source, "Source", cancellationToken).ConfigureAwait(false);
        if (source.Table is not { } table)
        {
            throw new JobFailedException($"Source {source.DevicePath} has no partition table: a disk clone saves a partitioned disk (clone a filesystem on a whole device with type: clone).");
        }

        if (diskImager.CannotSave(table) is { } unsaveable)
        {
            throw new JobFailedException($"Source {source.DevicePath} cannot be saved: {unsaveable}.");
        }

        if (source.Parts.Where(part => part.Mounted).Select(part => part.DevicePath).ToList() is { Count: > 0 } mounted)
        {
            throw new JobFailedException($"Source {source.DevicePath} has mounted partitions ({string.Join(", ", mounted)}): unmount them before cloning the disk.");
        }

        foreach (var part in source.Parts.Where(part => part.FsType != DiskImages.Swap))
        {
            if (diskImager.CannotHold(imager.FormatFor(part.FsType)) is { } unheld)
            {
                throw new JobFailedException($"Partition {part.DevicePath} cannot be saved in this disk image format: {unheld}.");
            }
        }

        var parent = CloneJob.OpenDestination(request.Destination);
        BlockDevice? disk = null;
        DirectoryHandle? directory = null;
        try
        {
            var localStart = TimeZoneInfo.ConvertTime(ticket.Start, services.Time.LocalTimeZone).DateTime;
            var name = ImageName.DirectoryName(request.Name, localStart);
            foreach (var taken in new[] { name, name + ImageName.InProgressSuffix })
            {
                if (parent.Contains(taken))
                {
                    throw new JobFailedException($"{Path.Join(parent.Path, taken)} already exists; it is left as it is.");
                }
            }

            disk = DiskImages.Claim(source, "Source", write: false);
            directory = CreateDirectory(parent, name + ImageName.InProgressSuffix);
            var journalEntry = services.Journal.Record(directory.Path, directory.Handle);
            return new CloneDiskJob(ticket, source, disk, codec, parent, name, directory, journalEntry, services);
        }
        catch
        {
            directory?.Dispose();
            if (directory is not null)
            {
                _ = parent.RemoveDirectory(Path.GetFileName(directory.Path));
            }

            disk?.Dispose();
            parent.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        var image = await DiskImages.PluginStepAsync(
            "The disk's layout cannot be saved",
            () => _diskImager.SaveLayoutAsync(new DeviceExtent(_disk.Path, _disk.Size()), _source.Parts, _directory.Path, cancellationToken)).ConfigureAwait(false);
        var listed = _source.Parts.ToDictionary(part => part.Name, StringComparer.Ordinal);
        var data = image.Parts.Where(part => part.Role == PartRole.Data).ToList();
        var progress = new StepProgress(data.Select(part => part.Size), _services.Time);
        var saved = new List<DiskImagePart>(image.Parts);
        for (var step = 0; step < data.Count; step++)
        {
            var part = data[step];
            var device = listed.GetValueOrDefault(part.Name)
                ?? throw new JobFailedException($"Partition {part.Name} of {_source.DevicePath}'s table is not listed on this machine, so it cannot be read.");
            progress.Begin(step);
            ReportPart(device.DevicePath);
            var format = _imager.FormatFor(device.FsType);
            var savedPart = part with { Format = format, CodecExtension = _codec.FileExtension };
            await SavePartitionAsync(image, savedPart, device, progress, cancellationToken).ConfigureAwait(false);
            saved[saved.IndexOf(part)] = savedPart;
            Report(progress.StepDone());
        }

        cancellationToken.ThrowIfCancellationRequested();
        ReportSyncing();
        await DiskImages.PluginStepAsync("The image cannot be completed", () => _diskImager.FinishAsync(image with { Parts = saved }, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var size = FlushFiles();
        try
        {
            _parent.RenameNoReplace(InProgressName, _name);
        }
        catch (NativeIOException e)
        {
            throw new JobFailedException(_parent.IsDeleted
                ? $"The destination directory {_parent.Path} was removed during the clone."
                : $"The image directory cannot be renamed to {Destination}: {Errno.Describe(e.ErrorNumber)}.");
        }

        _renamed = true;
        _parent.Flush();
        return Succeeded(size);
    }

    /// <inheritdoc/>
    protected override void Release(bool succeeded)
    {
        try
        {
            if (!_renamed)
            {
                foreach (var file in _directory.Files())
                {
                    _ = _directory.Remove(file);
                }

                _ = _parent.RemoveDirectory(InProgressName);
            }

            _services.Journal.Remove(_journalEntry);
        }
        finally
        {
            _directory.Dispose();
            _disk.Dispose();
            _parent.Dispose();
        }
    }

    // imager | compressor | the format's writer, the partition read through a read-only loop
    // device of the core's where the kernel shows no node for it.
    private async Task SavePartitionAsync(DiskImage image, DiskImagePart part, PartDevice device, StepProgress progress, CancellationToken cancellationToken)
    {
        using var mapping = device.HasNode ? null : DiskImages.Map(_services.Loops, _disk, part, writable: false);
        var imaging = _imager.Clone(part.Format!, mapping?.Extent ?? new DeviceExtent(device.DevicePath, part.Size));
        var stages = new List<Pipeline.Stage> { ImagingStage(imaging, progress.Overall) };
        if (_codec.Compress is { } compress)
        {
            stages.Add(new Pipeline.Stage(compress));
        }

        stages.Add(new Pipeline.Stage(_diskImager.WritePartition(image, part, part.Format!, part.CodecExtension!)));
        PipelineResult result;
        using (var nothing = NativeFile.Open("/dev/null", O_RDWR))
        {
            result = await Pipeline.Start(stages, nothing, nothing).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            var reason = FailureExplainer.Explain(result, stage => stage == result.Stages[0] ? imaging.Progress.LastLines : null);
            throw new JobFailedException(
                NativeFile.AvailableBytes(_directory.Handle) < CloneJob.FullThreshold && !reason.StartsWith(FailureExplainer.NoSpace, StringComparison.Ordinal)
                    ? $"{FailureExplainer.NoSpace} in {_parent.Path} (saving {device.DevicePath}): {reason}"
                    : $"Saving {device.DevicePath} failed: {reason}");
        }
    }

    // Every file owner-only, given to who asked and on the disk, then the directory: the image's
    // size in bytes.
    private long FlushFiles()
    {
        long size = 0;
        var owner = OwnerIn(_parent, Destination!);
        foreach (var file in _directory.Files())
        {
            var path = Path.Join(_directory.Path, file);
            using var handle = NativeFile.OpenAt(_directory.Handle, file, O_RDONLY | O_NOFOLLOW);
            _ = fchmod(NativeFile.Fd(handle), (mode_t)(int)FileModes.OwnerOnly);
            owner = Give(owner, handle, path);
            NativeFile.Fsync(handle, path);
            size += NativeFile.Stat(handle).st_size;
        }

        _ = Give(owner, _directory.Handle, _directory.Path);
        _directory.Flush();
        return size;
    }

    private static DirectoryHandle CreateDirectory(DirectoryHandle parent, string name)
    {
        try
        {
            // Disk images hold whole filesystems, secrets included: owner-only.
            return parent.CreateDirectory(name, FileModes.OwnerOnlyDirectory);
        }
        catch (NativeIOException e)
        {
            throw new JobFailedException(e.ErrorNumber == EEXIST
                ? $"{Path.Join(parent.Path, name)} already exists; it is left as it is."
                : $"Cannot make the image directory in {parent.Path}: {Errno.Describe(e.ErrorNumber)}.");
        }
    }
}
