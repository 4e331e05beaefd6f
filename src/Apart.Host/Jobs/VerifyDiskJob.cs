using Apart.Abstractions;
using Apart.Protocol;

namespace Apart.Host.Jobs;

/// <summary>
/// Checks an image directory whole (docs/PROTOCOL.md §10): every piece there, at its recorded size
/// and checksum where the image records them, then every partition's image by the imager's own
/// check, as a restore would read it.
/// </summary>
internal sealed class VerifyDiskJob : PieceReadingJob
{
    private readonly IDiskImager _diskImager;
    private readonly DiskImage _image;

    private VerifyDiskJob(JobTicket ticket, DiskImage image, Dictionary<string, ICompressor> codecs, JobServices services)
        : base(JobKind.Verify, ticket, image.Directory, null, codecs, services)
    {
        _diskImager = services.DiskImager;
        _image = image;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Files => [_image.Directory];

    /// <inheritdoc/>
    public override string? Device => null;

    /// <summary>Reads the image directory; a missing or truncated piece is refused at once, naming it.</summary>
    public static async Task<Job> CreateAsync(JobTicket ticket, VerifyRequest request, JobServices services, CancellationToken cancellationToken)
    {
        var (image, codecs) = await RestoreDiskJob.ReadImageAsync(request.Source, services, cancellationToken).ConfigureAwait(false);
        return new VerifyDiskJob(ticket, image, codecs, services);
    }

    /// <inheritdoc/>
    protected override async Task<JobProgress> RunAsync(CancellationToken cancellationToken)
    {
        var check = await DiskImages.PluginStepAsync("The image's pieces cannot be checked", () => _diskImager.CheckPiecesAsync(_image, contents: true, cancellationToken)).ConfigureAwait(false);
        if (check.Problem is { } problem)
        {
            throw new JobFailedException($"The image {_image.Directory} is damaged: {problem}.");
        }

        var data = _image.Parts.Where(part => part.Role == PartRole.Data).ToList();
        var progress = new StepProgress(data.Select(part => part.Size), Time);
        for (var step = 0; step < data.Count; step++)
        {
            progress.Begin(step);
            await CheckPartitionAsync(data[step], progress, cancellationToken).ConfigureAwait(false);
        }

        return Succeeded();
    }

    /// <inheritdoc/>
    protected override void Release(bool succeeded)
    {
    }
}
