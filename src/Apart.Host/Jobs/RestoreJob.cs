using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;

namespace Apart.Host.Jobs;

/// <summary>
/// Writes an image back to a listed, unmounted part (docs/PROTOCOL.md §6): decompressor → imager,
/// then the device is flushed (fsync and BLKFLSBUF) before success is reported.
/// </summary>
internal sealed class RestoreJob : Job
{
    private readonly JobServices _services;
    private readonly IImager _imager;
    private readonly ImageFile _image;
    private readonly ClaimedPart _device;
    private readonly bool _grow;

    private RestoreJob(JobTicket ticket, ImageFile image, string destination, ClaimedPart device, bool grow, JobServices services)
        : base(JobKind.Restore, ticket, image.Path, destination, services)
    {
        _services = services;
        _imager = services.Imager;
        _image = image;
        _device = device;
        _grow = grow;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => _image.Files;

    /// <inheritdoc/>
    public override string? Device => Destination;

    /// <summary>
    /// Every check before a byte is written: the image is one (its pieces all there), the
    /// destination is a listed part, not mounted nor held by anything (exclusive open), and large
    /// enough for the image.
    /// </summary>
    public static async Task<Job> CreateAsync(JobTicket ticket, RestoreRequest request, JobServices services, CancellationToken cancellationToken)
    {
        var image = ImageFile.Open(request.Source, services);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<long?>? sourceSize = null;
        ClaimedPart? device = null;
        try
        {
            _ = await image.CheckPiecesAsync(services, contents: false, cancellationToken).ConfigureAwait(false);

            // The image's header is read (through its decompressor) while the destination is
            // listed and claimed: neither writes a byte nor needs the other, and the destination's
            // refusals still come first. The listing, the longer of the two, starts first.
            var listing = services.ListedPartAsync(request.Destination, "Destination", cancellationToken);
            sourceSize = image.SourceSizeAsync(services.Imager, reading.Token);
            var (disk, part) = await listing.ConfigureAwait(false);
            if (part.Mounted)
            {
                throw new JobFailedException($"Destination {part.DevicePath} is mounted: unmount it before restoring to it.");
            }

            device = ClaimDestination(disk, part, services.Loops);
            var required = await sourceSize.ConfigureAwait(false);
            var available = device.Size();
            if (required > available)
            {
                throw new JobFailedException(
                    $"Destination {part.DevicePath} is too small: the image needs {required} bytes ({Bytes.Human(required.Value)}), "
                    + $"the device has {available} bytes ({Bytes.Human(available)}).");
            }

            return new RestoreJob(ticket, image, part.DevicePath, device, request.Grow == true, services);
        }
        catch
        {
            if (sourceSize is not null)
            {
                // Refused: the header's reading is stopped, and over, before the image is closed.
                await reading.CancelAsync().ConfigureAwait(false);
                await ((Task)sourceSize).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            device?.Dispose();
            image.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        // Checksums where the image records them: a damaged piece is refused before it is written.
        _ = await _image.CheckPiecesAsync(_services, contents: true, cancellationToken).ConfigureAwait(false);
        var destination = _device.Extent;
        var imaging = _imager.Restore(_image.Format, destination);
        var result = await ReadImageThroughAsync(_image, imaging, cancellationToken).ConfigureAwait(false);
        var imager = result.Stages[^1];
        if (imager.Exit.Succeeded && ImageCutOff(result))
        {
            // The imager says it is done, yet the image goes on: what is left of it never reached
            // the device (a raw image's end does not fit there: partclone.dd, for one, stops at
            // the end of the device and exits 0). An image whose size is known was checked first.
            throw new JobFailedException(
                $"Destination {Destination} ({Bytes.Human(destination.Size)}) is smaller than the image: "
                + $"{imager.Program} stopped before the image's end, so its end did not fit.");
        }

        if (!result.Succeeded)
        {
            throw new JobFailedException(FailureExplainer.Explain(result, stage => stage == imager ? imaging.Progress.LastLines : null));
        }

        cancellationToken.ThrowIfCancellationRequested();
        await _imager.CompleteRestoreAsync(_image.Format, destination, cancellationToken).ConfigureAwait(false);
        var note = _grow ? await PartGrowth.GrowAsync(_imager, _image.Format, Path.GetFileName(Destination!), () => _device.MapMountable(_services.Loops), cancellationToken).ConfigureAwait(false) : null;
        ReportSyncing();
        _device.Flush();
        return Succeeded() with { Note = note };
    }

    // Whether the imager stopped reading before the image's end: the programs before it failed
    // only for want of a reader (SIGPIPE), or the image file was not read to its end (the
    // descriptor the first program read is ours too, so is its offset). A decompressor that
    // failed on its own is a damaged image, not a short device.
    private bool ImageCutOff(PipelineResult result)
    {
        var upstream = result.Stages.Take(result.Stages.Count - 1).ToList();
        return upstream.All(stage => stage.Exit.Succeeded || stage.Exit.BrokenPipe)
            && (upstream.Any(stage => stage.Exit.BrokenPipe) || (_image.Concatenate is null && NativeFile.Position(_image.Handle) < _image.Length));
    }

    /// <inheritdoc/>
    protected override void Release(bool succeeded)
    {
        _device.Dispose();
        _image.Dispose();
    }

    private static ClaimedPart ClaimDestination(SourceDevice disk, PartDevice part, LoopMapper loops)
    {
        try
        {
            return ClaimedPart.Claim(disk, part, write: true, loops);
        }
        catch (DeviceBusyException)
        {
            throw new JobFailedException($"Destination {part.DevicePath} is in use (mounted, active swap, part of a RAID or LVM volume, or used by another job).");
        }
        catch (IOException e)
        {
            throw new JobFailedException($"Destination {part.DevicePath} cannot be opened for writing: {e.Message}");
        }
    }
}
