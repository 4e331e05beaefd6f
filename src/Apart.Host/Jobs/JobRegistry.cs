using System.Collections.Concurrent;
using System.Security.Cryptography;
using Apart.Abstractions.Protocol;
using Apart.Host.Core;

namespace Apart.Host.Jobs;

/// <summary>
/// Starts jobs and knows which are running: to cancel them, to keep files they use from being
/// deleted, and to stop them all when the core exits.
/// </summary>
internal sealed class JobRegistry(JobServices services, Outbox outbox, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Job> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _starting = new();
    private volatile bool _closed;

    /// <summary>Jobs running now.</summary>
    public IReadOnlyCollection<Job> Running => _running.Values.ToList();

    /// <summary>Starts a clone; a request that cannot start is answered with <c>clone-failed</c>.</summary>
    public Task StartCloneAsync(CloneRequest request) =>
        StartAsync(JobKind.Clone, request.Source, request.Destination, ticket => CloneJob.CreateAsync(ticket, request, services));

    /// <summary>Starts a restore; a request that cannot start is answered with <c>restore-failed</c>.</summary>
    public Task StartRestoreAsync(RestoreRequest request) =>
        StartAsync(JobKind.Restore, request.Source, request.Destination, ticket => RestoreJob.CreateAsync(ticket, request, services));

    /// <summary>Starts a verify; a request that cannot start is answered with <c>verify-failed</c>.</summary>
    public Task StartVerifyAsync(VerifyRequest request) =>
        StartAsync(JobKind.Verify, request.Source, null, ticket => VerifyJob.CreateAsync(ticket, request, services));

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
        await Task.WhenAll(_starting.Keys).ConfigureAwait(false);
        var jobs = _running.Values.ToList();
        foreach (var job in jobs)
        {
            job.Cancel();
        }

        await Task.WhenAll(jobs.Select(job => job.Completion)).ConfigureAwait(false);
    }

    private async Task StartAsync(JobKind kind, string source, string? destination, Func<JobTicket, Task<Job>> create)
    {
        var ticket = new JobTicket(NewId(), time.GetUtcNow());
        var starting = StartJobAsync(kind, ticket, source, destination, create);
        _starting[starting] = true;
        try
        {
            await starting.ConfigureAwait(false);
        }
        finally
        {
            _ = _starting.TryRemove(starting, out _);
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
            outbox.Post(new JobFailed(kind, ticket.Id, source, destination, ticket.Start, time.GetUtcNow(), e.Message));
            return;
        }

        _running[job.Id] = job;
        outbox.Post(job.FirstProgress);
        job.Run(onEnd: ended => _running.TryRemove(ended.Id, out _));
    }

    private string NewId()
    {
        while (true)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            if (!_running.ContainsKey(id))
            {
                return id;
            }
        }
    }
}
