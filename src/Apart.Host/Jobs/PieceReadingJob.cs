using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// A job that reads the partitions of an image directory: each partition's pieces, in order,
/// through its decompressor into an imaging program, as the disk imaging plugin reads them.
/// </summary>
internal abstract class PieceReadingJob : Job
{
    private readonly IImager _imager;
    private readonly IDiskImager _diskImager;
    private readonly IReadOnlyDictionary<string, ICompressor> _codecs;

    protected PieceReadingJob(JobKind kind, JobTicket ticket, string source, string? destination, IReadOnlyDictionary<string, ICompressor> codecs, JobServices services)
        : base(kind, ticket, source, destination, services)
    {
        _imager = services.Imager;
        _diskImager = services.DiskImager;
        _codecs = codecs;
    }

    /// <summary>
    /// Checks one partition's image as the imager checks images of its format: by its own program,
    /// or, for raw bytes, by decompressing it whole (the codec checks itself) to the partition's
    /// size, where the image records it.
    /// </summary>
    protected async Task CheckPartitionAsync(DiskImagePart part, StepProgress progress, CancellationToken cancellationToken)
    {
        switch (_imager.Check(part.Format!))
        {
            case ImageCheck.Program { Command: var check }:
                var result = await RunOverPiecesAsync(part, check, progress, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new JobFailedException($"The image of partition {part.Name} is damaged: {FailureExplainer.Explain(result, stage => stage == result.Stages[^1] ? check.Progress.LastLines : null)}");
                }

                break;
            case ImageCheck.DeviceBytes:
                await CheckLengthAsync(part, cancellationToken).ConfigureAwait(false);
                break;
            case var other:
                throw new JobFailedException($"The imaging plugin checks {part.Format} images in a way this core does not know ({other.GetType().Name}).");
        }

        Report(progress.StepDone());
    }

    /// <summary>The partition's pieces, in order | its decompressor | the imaging program, reporting through <paramref name="progress"/>.</summary>
    protected async Task<PipelineResult> RunOverPiecesAsync(DiskImagePart part, ImagingCommand imaging, StepProgress progress, CancellationToken cancellationToken)
    {
        var stages = ReadingStages(part);
        stages.Add(ImagingStage(imaging, progress.Overall));
        using var nothing = NativeFile.Open("/dev/null", O_RDWR);
        return await Pipeline.Start(stages, nothing, nothing).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private List<Pipeline.Stage> ReadingStages(DiskImagePart part)
    {
        var stages = new List<Pipeline.Stage> { new(_diskImager.ReadPieces(part)) };
        if (_codecs[part.Name].Decompress is { } decompress)
        {
            stages.Add(new Pipeline.Stage(decompress));
        }

        return stages;
    }

    private async Task CheckLengthAsync(DiskImagePart part, CancellationToken cancellationToken)
    {
        using var output = Pipe.Create(1024 * 1024);
        using var nothing = NativeFile.Open("/dev/null", O_RDONLY);
        var pipeline = Pipeline.Start(ReadingStages(part), nothing, output.Write);
        output.CloseWrite();
        var length = PipeDrain.CountAsync(output.DetachRead());
        var result = await pipeline.WaitAsync(cancellationToken).ConfigureAwait(false);
        var bytes = await length.ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new JobFailedException($"The image of partition {part.Name} is damaged: {FailureExplainer.Explain(result)}");
        }

        if (part.Size > 0 && bytes != part.Size)
        {
            throw new JobFailedException($"The image of partition {part.Name} holds {bytes} bytes but the partition had {part.Size}: it is truncated or damaged.");
        }
    }
}
