using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Jobs;

/// <summary>
/// Reads an image whole and checks it (docs/PROTOCOL.md §7), as the imager says images of its
/// format are checked: by a program of its own that reads the decompressed image, or, for an
/// image of a device's bytes, by decompressing it completely (each codec checks its own
/// checksums) and comparing its length with the source size recorded at clone time.
/// </summary>
internal sealed class VerifyJob : Job
{
    private static readonly TimeSpan DeviceBytesProgressInterval = TimeSpan.FromSeconds(1);

    private readonly IImager _imager;
    private readonly ImageFile _image;
    private readonly JobServices _services;

    private VerifyJob(JobTicket ticket, ImageFile image, JobServices services)
        : base(JobKind.Verify, ticket, image.Path, null, services)
    {
        _services = services;
        _imager = services.Imager;
        _image = image;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => _image.Files;

    /// <inheritdoc/>
    public override string? Device => null;

    public static Task<Job> CreateAsync(JobTicket ticket, VerifyRequest request, JobServices services, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<Job>(new VerifyJob(ticket, ImageFile.Open(request.Source, services), services));
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        // Pieces first: a missing or damaged one is named, where the imager would only see a short or odd stream.
        _ = await _image.CheckPiecesAsync(_services, contents: true, cancellationToken).ConfigureAwait(false);
        return await (_imager.Check(_image.Format) switch
        {
            ImageCheck.Program program => CheckAsync(program.Command, cancellationToken),
            ImageCheck.DeviceBytes => CheckLengthAsync(cancellationToken),
            var other => throw new JobFailedException($"The imaging plugin checks {_image.Format} images in a way this core does not know ({other.GetType().Name})."),
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Release(bool succeeded) => _image.Dispose();

    private async Task<JobProgress> CheckAsync(ImagingCommand check, CancellationToken cancellationToken)
    {
        var result = await ReadImageThroughAsync(_image, check, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? Succeeded()
            : throw new JobFailedException(FailureExplainer.Explain(result, stage => stage == result.Stages[^1] ? check.Progress.LastLines : null));
    }

    private async Task<JobProgress> CheckLengthAsync(CancellationToken cancellationToken)
    {
        long length;
        var stages = ReadingStages(_image);
        if (stages.Count == 0)
        {
            length = _image.Length;
        }
        else
        {
            using var output = Pipe.Create(1024 * 1024);
            using var nothing = NativeFile.Open("/dev/null", Tmds.Linux.LibC.O_RDONLY);
            var pipeline = Pipeline.Start(stages, _image.Concatenate is null ? _image.Handle : nothing, output.Write);
            output.CloseWrite();
            var drained = PipeDrain.CountAsync(output.DetachRead());
            using var progress = new PeriodicTimer(DeviceBytesProgressInterval);
            var finished = pipeline.WaitAsync(cancellationToken);
            while (await Task.WhenAny(finished, progress.WaitForNextTickAsync(cancellationToken).AsTask()).ConfigureAwait(false) != finished)
            {
                // How far the decompressor read its file shows how far it got (an image in pieces tells no such thing).
                if (_image.Concatenate is null)
                {
                    Report(new ImagingProgress((double)NativeFile.Position(_image.Handle) / Math.Max(1, _image.Length), null, null));
                }
            }

            var result = await finished.ConfigureAwait(false);
            length = await drained.ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new JobFailedException(FailureExplainer.Explain(result));
            }
        }

        if (_image.RecordedSourceSize is { } expected && expected != length)
        {
            throw new JobFailedException(
                $"The image holds {length} bytes but the device it was made from had {expected}: it is truncated or damaged.");
        }

        return Succeeded();
    }
}
