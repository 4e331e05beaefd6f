using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Apart.Host.Core;
using Apart.Protocol;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Jobs;

/// <summary>
/// The one list of running jobs. It starts them, cancels them, says which job holds a file,
/// gives each one's latest progress for a running status's <c>jobs:</c>, and stops them all when
/// the core ends.
/// </summary>
/// <remarks>
/// Requests are checked and their devices claimed one at a time, in the order they arrived, on
/// a worker of their own: of two requests for one device the first always wins, and a check
/// that waits on the system (a slow lsblk, a slow disk) never holds up the presenter's other
/// messages. When the core ends, the check under way is cancelled and those still queued are
/// refused at once.
/// </remarks>
[SuppressMessage("Design", "CA1001", Justification = "One registry lives as long as the core; its token source has no timer.")]
internal sealed class JobRegistry(JobServices services, Outbox outbox, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Job> _running = new(StringComparer.Ordinal);
    private readonly SerialQueue _preparations = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly ILogger _logger = services.Logger;

    /// <summary>Jobs running now.</summary>
    public IReadOnlyCollection<Job> Running => _running.Values.ToList();

    /// <summary>The latest progress of every running job, oldest first.</summary>
    public IReadOnlyList<JobProgress> Progress => _running.Values.Select(job => job.Latest).OrderBy(progress => progress.Start).ToList();

    /// <summary>
    /// Starts the job a request asks for. A request that cannot start is answered with its kind's
    /// failure message. Completes once the job started or was refused.
    /// </summary>
    /// <param name="request">A clone, restore or verify request.</param>
    /// <param name="owner">Who asked, to whom the image a clone makes is given; null leaves it root's.</param>
    /// <param name="cancellationToken">Stops the request's checks (as the core's ending does); it is then refused.</param>
    public Task StartAsync(Request request, ImageOwner? owner = null, CancellationToken cancellationToken = default)
    {
        var (kind, source, destination, create) = Plan(request);
        var ticket = new JobTicket(NewId(), time.GetUtcNow(), owner);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _preparations.Enqueue(async () =>
        {
            await StartJobAsync(kind, ticket, source, destination, create, cancellationToken).ConfigureAwait(false);
            answered.SetResult();
        });
        return answered.Task;
    }

    /// <summary>Cancels a running job; false when no job of that kind has that id.</summary>
    public bool Cancel(JobKind kind, string id)
    {
        if (!_running.TryGetValue(id, out var job) || job.Kind != kind)
        {
            return false;
        }

        job.Cancel();
        return true;
    }

    /// <summary>The running job that reads or writes this image file, if any.</summary>
    public Job? UsingFile(string path) => _running.Values.FirstOrDefault(job => job.Files.Contains(path, StringComparer.Ordinal));

    /// <summary>
    /// Refuses new jobs, stops the check under way, refuses those queued, cancels every running
    /// job and waits until each has cleaned up and queued its failure message.
    /// </summary>
    public async Task CancelAllAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await _preparations.DrainAsync().ConfigureAwait(false);
        var jobs = _running.Values.ToList();
        foreach (var job in jobs)
        {
            job.Cancel();
        }

        await Task.WhenAll(jobs.Select(job => job.Completion)).ConfigureAwait(false);
    }

    // What each request starts, and what its refusal names as source and destination.
    private (JobKind Kind, string Source, string? Destination, Func<JobTicket, CancellationToken, Task<Job>> Create) Plan(Request request) => request switch
    {
        CloneRequest clone => (JobKind.Clone, clone.Source, clone.Destination, (ticket, cancel) => CloneJob.CreateAsync(ticket, clone, services, cancel)),
        RestoreRequest restore => (JobKind.Restore, restore.Source, restore.Destination, (ticket, cancel) => RestoreJob.CreateAsync(ticket, restore, services, cancel)),
        VerifyRequest verify => (JobKind.Verify, verify.Source, null, (ticket, cancel) => Directory.Exists(verify.Source)
            ? VerifyDiskJob.CreateAsync(ticket, verify, services, cancel)
            : VerifyJob.CreateAsync(ticket, verify, services, cancel)),
        CloneDiskRequest clone => (JobKind.CloneDisk, clone.Source, clone.Destination, (ticket, cancel) => CloneDiskJob.CreateAsync(ticket, clone, services, cancel)),
        RestoreDiskRequest restore => (JobKind.RestoreDisk, restore.Source, restore.Destination, (ticket, cancel) => RestoreDiskJob.CreateAsync(ticket, restore, services, cancel)),
        _ => throw new ArgumentException($"{request.GetType().Name} starts no job.", nameof(request)),
    };

    private async Task StartJobAsync(
        JobKind kind, JobTicket ticket, string source, string? destination, Func<JobTicket, CancellationToken, Task<Job>> create, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token, cancellationToken);
        var closing = stop.Token;
        Job job;
        try
        {
            // A request that comes before the codec probes have answered waits for them, rather
            // than being refused for want of a codec.
            await services.Codecs.ProbedAsync(closing).ConfigureAwait(false);
            closing.ThrowIfCancellationRequested();
            job = await create(ticket, closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
            Refuse(_closing.IsCancellationRequested ? "The core is shutting down." : JobFailed.Cancelled);
            return;
        }
        catch (JobFailedException e)
        {
            Refuse(e.Message);
            return;
        }
#pragma warning disable CA1031 // Whatever a request holds, it is answered and the core goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.JobCrashed(e, kind, ticket.Id);
            Refuse($"The request could not be checked: {e.Message}");
            return;
        }

        _running[job.Id] = job;
        outbox.Post(job.Latest);
        job.Run(onEnd: ended => _running.TryRemove(ended.Id, out _));

        // A request that cannot start never started: start = finish = now (docs/PROTOCOL.md §4).
        void Refuse(string reason)
        {
            var now = time.GetUtcNow();
            outbox.Post(new JobFailed(kind, ticket.Id, source, destination, now, now, reason));
        }
    }

    // Ids only tell jobs apart; nothing is protected by guessing one being hard. Random.Shared
    // rather than the cryptographic generator: that one loads OpenSSL, ≈ 5 MiB of a core's memory.
    private string NewId()
    {
        while (true)
        {
            var id = Random.Shared.GetHexString(8, lowercase: true);
            if (!_running.ContainsKey(id))
            {
                return id;
            }
        }
    }
}
