using System.Diagnostics.CodeAnalysis;
using Apart.Abstractions;
using Apart.Host.Core;
using Apart.Host.Native;
using Apart.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Jobs;

/// <summary>
/// A running clone, restore or verify: it reports progress as it goes and ends with exactly one
/// success or failure message, sent only after its processes are reaped and its files cleaned up.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The token source has no timer; a cancel may arrive after the job ended, so it is never disposed.")]
internal abstract class Job
{
    /// <summary>While running, <c>complete</c> never reaches 1.0 (docs/PROTOCOL.md §2).</summary>
    private const double MaxRunningComplete = 0.9999;

    private readonly CancellationTokenSource _cancellation = new();
    private readonly Outbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _progressGate = new();
    private JobProgress _latest;
    private Action<Job>? _onEnd;

    protected Job(JobKind kind, JobTicket ticket, string source, string? destination, JobServices services)
    {
        Kind = kind;
        Id = ticket.Id;
        Start = ticket.Start;
        Owner = ticket.Owner;
        Source = source;
        Destination = destination;
        _outbox = services.Outbox;
        _time = services.Time;
        _logger = services.Logger;
        _latest = new JobProgress(kind, Id, source, destination, Start);
    }

    public JobKind Kind { get; }

    public string Id { get; }

    public DateTimeOffset Start { get; }

    /// <summary>Clone: the device. Restore, verify: the image file.</summary>
    public string Source { get; }

    /// <summary>Clone: the final image path. Restore: the device. Verify: null.</summary>
    public string? Destination { get; }

    /// <summary>Who the image this job makes is given to; null leaves it root's.</summary>
    protected ImageOwner? Owner { get; }

    /// <summary>
    /// Who the image this job makes in <paramref name="destination"/> is given to:
    /// <see cref="Owner"/>, when they could have written there themselves; otherwise null, and
    /// the log says why (once per image).
    /// </summary>
    protected ImageOwner? OwnerIn(DirectoryHandle destination, string image)
    {
        if (Owner is { } owner && !owner.MayWriteIn(destination.Handle))
        {
            _logger.ImageNotGiven(image, owner.Uid, $"they may not write in {destination.Path}");
            return null;
        }

        return Owner;
    }

    /// <summary>
    /// Gives a file or directory this job created, complete, to <paramref name="owner"/> (from
    /// <see cref="OwnerIn"/>). On a destination without Unix owners (vfat, where the mount
    /// decides) it stays as it is: the image is whole either way and failing it would lose a good
    /// backup. Returns the owner to give the image's next file to: null once giving failed (the
    /// log said why), so that the rest are not tried.
    /// </summary>
    protected ImageOwner? Give(ImageOwner? owner, SafeFileHandle handle, string path)
    {
        if (owner?.Give(handle) is not { } reason)
        {
            return owner;
        }

        _logger.ImageNotGiven(path, owner.Uid, reason);
        return null;
    }

    /// <summary>The clock the job's times come from.</summary>
    protected TimeProvider Time => _time;

    /// <summary>The image files this job reads or writes, which must not be deleted under it.</summary>
    public abstract IReadOnlyList<string> Files { get; }

    /// <summary>The block device this job holds, if any.</summary>
    public abstract string? Device { get; }

    /// <summary>Completes after the job's final message is queued.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// The latest progress: before the work starts, the first message (progress 0.0); what a
    /// running status lists under <c>jobs:</c>.
    /// </summary>
    public JobProgress Latest
    {
        get
        {
            lock (_progressGate)
            {
                return _latest;
            }
        }
    }

    /// <summary>Starts the work in the background; <paramref name="onEnd"/> runs just before the final message is queued.</summary>
    public void Run(Action<Job> onEnd)
    {
        _onEnd = onEnd;
        Completion = Task.Run(RunToEndAsync);
    }

    /// <summary>Asks the job to stop; it ends with a <c>Cancelled</c> failure.</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>The work; returns the success message.</summary>
    protected abstract Task<JobProgress> RunAsync(CancellationToken cancellationToken);

    /// <summary>Releases what the job holds and removes what it must not leave behind. Runs before the final message.</summary>
    protected abstract void Release(bool succeeded);

    /// <summary>
    /// A pipeline stage whose standard error feeds the command's progress parser, each update
    /// reported (through <paramref name="overall"/>, when the program does one step of several).
    /// </summary>
    protected Pipeline.Stage ImagingStage(ImagingCommand imaging, Func<ImagingProgress, ImagingProgress>? overall = null) => new(imaging.Command, text =>
    {
        foreach (var update in imaging.Progress.Feed(text))
        {
            Report(overall is null ? update : overall(update));
        }
    });

    /// <summary>
    /// Runs an imaging program over an image: the image (its pieces in order), decompressed by its
    /// codec (if any), on its standard input; its standard output discarded. How every program ended.
    /// </summary>
    protected async Task<PipelineResult> ReadImageThroughAsync(ImageFile image, ImagingCommand imaging, CancellationToken cancellationToken)
    {
        var stages = ReadingStages(image);
        stages.Add(ImagingStage(imaging));
        using var nothing = NativeFile.Open("/dev/null", Tmds.Linux.LibC.O_RDWR);
        return await Pipeline.Start(stages, image.Concatenate is null ? image.Handle : nothing, nothing).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The stages that give an image's data on their standard output: its pieces' concatenation
    /// (reading nothing) if it has several, then its decompressor if any. Without either, the
    /// image file itself is the data.
    /// </summary>
    protected static List<Pipeline.Stage> ReadingStages(ImageFile image)
    {
        var stages = new List<Pipeline.Stage>();
        if (image.Concatenate is { } concatenate)
        {
            stages.Add(new Pipeline.Stage(concatenate));
        }

        if (image.Codec.Decompress is { } decompress)
        {
            stages.Add(new Pipeline.Stage(decompress));
        }

        return stages;
    }

    /// <summary>Reports an update of the imaging program.</summary>
    protected void Report(ImagingProgress update)
    {
        var now = _time.GetUtcNow();
        Post(latest => latest with
        {
            Complete = Math.Min(update.Complete, MaxRunningComplete),
            Rate = update.Rate ?? latest.Rate,
            EstimatedFinish = update.Remaining is { } remaining ? now + remaining : latest.EstimatedFinish,
        });
    }

    /// <summary>Reports which partition of a disk the job is working on now (the last one's rate was its own).</summary>
    protected void ReportPart(string part) => Post(latest => latest with { Part = part, Rate = null });

    /// <summary>Reports that all data is written and the core is flushing it.</summary>
    protected void ReportSyncing() => Post(latest => latest with { Complete = MaxRunningComplete, Syncing = true });

    /// <summary>The success message.</summary>
    protected JobProgress Succeeded(long? imageSize = null)
    {
        lock (_progressGate)
        {
            return _latest with { Complete = 1.0, Syncing = false, Finish = _time.GetUtcNow(), ImageSize = imageSize, EstimatedFinish = null };
        }
    }

    /// <summary>Sets the source UUID carried by clone progress.</summary>
    protected void SetSourceUuid(string? uuid) => Post(latest => latest with { SourceUuid = uuid }, send: false);

    private void Post(Func<JobProgress, JobProgress> change, bool send = true)
    {
        JobProgress next;
        lock (_progressGate)
        {
            next = _latest = change(_latest);
        }

        if (send)
        {
            _outbox.Post(next);
        }
    }

    private async Task RunToEndAsync()
    {
        CoreEvent final;
        var succeeded = false;
        try
        {
            final = await RunAsync(_cancellation.Token).ConfigureAwait(false);
            succeeded = true;
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            final = Failed(JobFailed.Cancelled);
        }
        catch (JobFailedException e)
        {
            final = Failed(e.Message);
        }
#pragma warning disable CA1031 // Whatever went wrong becomes the job's failure message; the core goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.JobCrashed(e, Kind, Id);
            final = Failed(e.Message);
        }

        try
        {
            Release(succeeded);
        }
#pragma warning disable CA1031
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.JobCleanupFailed(e, Kind, Id);
            if (succeeded)
            {
                final = Failed(e.Message);
            }
        }

        _onEnd?.Invoke(this);
        _outbox.Post(final);
    }

    private JobFailed Failed(string error) => new(Kind, Id, Source, Destination, Start, _time.GetUtcNow(), error);
}
