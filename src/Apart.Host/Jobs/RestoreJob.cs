using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Host.Native;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// Writes an image back to a listed, unmounted part (PROTOCOL.md §6): decompressor → partclone,
/// then the device is flushed (fsync and BLKFLSBUF) before success is reported.
/// </summary>
internal sealed class RestoreJob : Job
{
    private readonly IImager _imager;
    private readonly ImageFile _image;
    private readonly BlockDevice _device;

    private RestoreJob(JobTicket ticket, ImageFile image, BlockDevice device, JobServices services)
        : base(JobKind.Restore, ticket, image.Path, device.Path, services)
    {
        _imager = services.Imager;
        _image = image;
        _device = device;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => [_image.Path];

    /// <inheritdoc/>
    public override string? Device => _device.Path;

    /// <summary>
    /// Every check before a byte is written: the image is one, the destination is a listed part,
    /// not mounted nor held by anything (exclusive open), and large enough for the image.
    /// </summary>
    public static async Task<Job> CreateAsync(JobTicket ticket, RestoreRequest request, JobServices services)
    {
        var image = ImageFile.Open(request.Source, services);
        BlockDevice? device = null;
        try
        {
            var part = await services.ListedPartAsync(request.Destination, "Destination").ConfigureAwait(false);
            if (part.Mounted)
            {
                throw new JobFailedException($"Destination {part.DevicePath} is mounted: unmount it before restoring to it.");
            }

            device = ClaimDestination(part);
            var required = await image.RequiredDeviceSizeAsync(services.Imager).ConfigureAwait(false);
            var available = device.Size();
            if (required > available)
            {
                throw new JobFailedException(
                    $"Destination {part.DevicePath} is too small: the image needs {required} bytes ({Bytes.Human(required.Value)}), "
                    + $"the device has {available} bytes ({Bytes.Human(available)}).");
            }

            return new RestoreJob(ticket, image, device, services);
        }
        catch
        {
            device?.Dispose();
            image.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        var parser = _imager.CreateProgressParser();
        var stages = new List<Pipeline.Stage>();
        if (_image.Codec.Decompress is { } decompress)
        {
            stages.Add(new Pipeline.Stage(decompress));
        }

        stages.Add(ImagingStage(_imager.RestoreCommand(_image.Name.Variant, _device.Path), parser));

        PipelineResult result;
        using (var nothing = NativeFile.Open("/dev/null", O_WRONLY))
        {
            result = await Pipeline.Start(stages, _image.Handle, nothing).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var imager = result.Stages[^1];
        if (_image.Name.Variant == _imager.RawVariant && imager.Exit.Succeeded && !AllImageRead(result))
        {
            // partclone.dd stops at the end of the device and exits 0: the rest of the image never
            // reached it. Only a raw image of unknown size can get this far (others are checked first).
            throw new JobFailedException(
                $"Destination {_device.Path} ({Bytes.Human(_device.Size())}) is smaller than the image: its end did not fit.");
        }

        if (!result.Succeeded)
        {
            throw new JobFailedException(FailureExplainer.Explain(result, stage => stage == result.Stages[^1] ? parser.LastLines : null));
        }

        cancellationToken.ThrowIfCancellationRequested();
        using (var device = _device.OpenStream())
        {
            _imager.CompleteRestore(_image.Name.Variant, device, _device.Size());
        }

        ReportSyncing();
        _device.Flush();
        return Succeeded();
    }

    // Whether the whole image went in: the decompressor was not cut off, and the image file was
    // read to its end (the descriptor the first program read is ours too, so is its offset).
    private bool AllImageRead(PipelineResult result) =>
        result.Stages.Take(result.Stages.Count - 1).All(stage => stage.Exit.Succeeded)
        && NativeFile.Position(_image.Handle) >= _image.Length;

    /// <inheritdoc/>
    protected override void Release(bool succeeded)
    {
        _device.Dispose();
        _image.Dispose();
    }

    private static BlockDevice ClaimDestination(PartDevice part)
    {
        try
        {
            return BlockDevice.Claim(part.DevicePath, write: true);
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
