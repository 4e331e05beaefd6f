using System.Collections.Concurrent;
using Apart.Abstractions.Protocol;
using System.Threading.Channels;
using Apart.Host.Core;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Jobs;

/// <summary>
/// Starts jobs and knows which are running: to cancel them, to keep files they use from being
/// deleted, and to stop them all when the core exits.
/// </summary>
/// <remarks>
/// Requests are checked and their devices claimed one at a time, in the order they arrived, on
/// a worker of their own: of two requests for one device the first always wins, and a check
/// that waits on the system (a slow filesystem) never holds up the presenter's other messages.
/// </remarks>
internal sealed class JobRegistry
{
    private readonly ConcurrentDictionary<string, Job> _running = new(StringComparer.Ordinal);
    private readonly Channel<Func<Task>> _preparations = Channel.CreateUnbounded<Func<Task>>(new() { SingleReader = true });
    private readonly JobServices _services;
    private readonly Outbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _closed;

    public JobRegistry(JobServices services, Outbox outbox, TimeProvider time)
    {
        _services = services;
        _outbox = outbox;
        _time = time;
        _logger = services.Logger;
        _ = Task.Run(PrepareInOrderAsync);
    }

    /// <summary>Jobs running now.</summary>
    public IReadOnlyCollection<Job> Running => _running.Values.ToList();

    /// <summary>Starts a clone; a request that cannot start is answered with <c>clone-failed</c>.</summary>
    public Task StartCloneAsync(CloneRequest request) =>
        StartAsync(JobKind.Clone, request.Source, request.Destination, ticket => CloneJob.CreateAsync(ticket, request, _services));

    /// <summary>Starts a restore; a request that cannot start is answered with <c>restore-failed</c>.</summary>
    public Task StartRestoreAsync(RestoreRequest request) =>
        StartAsync(JobKind.Restore, request.Source, request.Destination, ticket => RestoreJob.CreateAsync(ticket, request, _services));

    /// <summary>Starts a verify; a request that cannot start is answered with <c>verify-failed</c>.</summary>
    public Task StartVerifyAsync(VerifyRequest request) =>
        StartAsync(JobKind.Verify, request.Source, null, ticket => VerifyJob.CreateAsync(ticket, request, _services));

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
    /// Refuses new jobs, cancels every running one and waits until each has cleaned up and
    /// queued its failure message.
    /// </summary>
    public async Task CancelAllAsync()
    {
        _closed = true;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_preparations.Writer.TryWrite(() =>
        {
            drained.SetResult();
            return Task.CompletedTask;
        }))
        {
            await drained.Task.ConfigureAwait(false);
        }

        var jobs = _running.Values.ToList();
        foreach (var job in jobs)
        {
            job.Cancel();
        }

        await Task.WhenAll(jobs.Select(job => job.Completion)).ConfigureAwait(false);
    }

    // The ticket (id, start) is taken when the request arrives; the checks run in turn.
    private Task StartAsync(JobKind kind, string source, string? destination, Func<JobTicket, Task<Job>> create)
    {
        var ticket = new JobTicket(NewId(), _time.GetUtcNow());
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = _preparations.Writer.TryWrite(async () =>
        {
            await StartJobAsync(kind, ticket, source, destination, create).ConfigureAwait(false);
            started.SetResult();
        });
        return started.Task;
    }

    private async Task PrepareInOrderAsync()
    {
        await foreach (var prepare in _preparations.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await prepare().ConfigureAwait(false);
        }
    }

    private async Task StartJobAsync(JobKind kind, JobTicket ticket, string source, string? destination, Func<JobTicket, Task<Job>> create)
    {
        Job job;
        try
        {
            job = _closed ? throw new JobFailedException("The core is shutting down.") : await create(ticket).ConfigureAwait(false);
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
        _outbox.Post(job.FirstProgress);
        job.Run(onEnd: ended => _running.TryRemove(ended.Id, out _));

        // A request that cannot start never started: start = finish = now (PROTOCOL.md §4).
        void Refuse(string reason)
        {
            var now = _time.GetUtcNow();
            _outbox.Post(new JobFailed(kind, ticket.Id, source, destination, now, now, reason));
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
