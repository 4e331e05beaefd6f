using Apart.Abstractions;
using Apart.Host.Native;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Jobs;

/// <summary>
/// Programs connected by kernel pipes, like a shell's <c>a | b</c> but without a shell: the first
/// reads <c>input</c>, each writes into the next, the last writes <c>output</c>. The core only
/// reads their standard errors.
/// </summary>
internal sealed class Pipeline
{
    // A 1 MiB pipe lets partclone hand the compressor large batches with few wake-ups.
    private const int DataPipeCapacity = 1024 * 1024;

    private readonly List<(ChildProcess Process, StderrCapture Stderr)> _stages;

    private Pipeline(List<(ChildProcess, StderrCapture)> stages) => _stages = stages;

    /// <summary>A stage: its command and, optionally, who reads its standard error as it comes.</summary>
    public sealed record Stage(CommandLine Command, Action<string>? StderrObserver = null);

    /// <summary>
    /// Starts the stages. If one cannot start, those already started are killed and reaped before
    /// the exception is rethrown.
    /// </summary>
    public static Pipeline Start(IReadOnlyList<Stage> stages, SafeFileHandle input, SafeFileHandle output)
    {
        var started = new List<(ChildProcess, StderrCapture)>();
        SafeFileHandle? nextInput = null;
        try
        {
            for (var i = 0; i < stages.Count; i++)
            {
                var last = i == stages.Count - 1;
                using var data = last ? null : Pipe.Create(DataPipeCapacity);
                using var stderr = Pipe.Create();
                var process = ChildProcess.Start(
                    stages[i].Command,
                    new StandardStreams(nextInput ?? input, data?.Write ?? output, stderr.Write));

                // The child has its copies now; ours must close so end-of-file can ever arrive.
                stderr.CloseWrite();
                data?.CloseWrite();
                nextInput?.Dispose();
                nextInput = data?.DetachRead();
                started.Add((process, StderrCapture.Start(stderr.DetachRead(), stages[i].StderrObserver)));
            }

            return new Pipeline(started);
        }
        catch
        {
            nextInput?.Dispose();
            foreach (var (process, _) in started)
            {
                process.Signal(Tmds.Linux.LibC.SIGKILL);
                process.Exited.GetAwaiter().GetResult();
            }

            throw;
        }
    }

    /// <summary>The process ids, first stage first.</summary>
    public IReadOnlyList<int> ProcessIds => _stages.Select(stage => stage.Process.Pid).ToList();

    /// <summary>
    /// Waits until every stage has exited and its standard error is read to the end. On
    /// cancellation every stage is killed and reaped before the cancellation is rethrown.
    /// </summary>
    public async Task<PipelineResult> WaitAsync(CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(_stages.SelectMany(stage => new[] { stage.Process.Exited, stage.Stderr.Completion }));
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await all.ConfigureAwait(false);
            throw;
        }

        return new PipelineResult(_stages
            .Select(stage => new StageResult(stage.Process.Name, stage.Process.Exited.Result, stage.Stderr.Tail))
            .ToList());
    }

    /// <summary>Kills every stage (SIGKILL); they are reaped by their waiters.</summary>
    public void Kill()
    {
        foreach (var (process, _) in _stages)
        {
            process.Signal(Tmds.Linux.LibC.SIGKILL);
        }
    }
}

/// <summary>How each stage of a pipeline ended.</summary>
internal sealed record PipelineResult(IReadOnlyList<StageResult> Stages)
{
    /// <summary>Every stage exited 0.</summary>
    public bool Succeeded => Stages.All(stage => stage.Exit.Succeeded);
}

/// <summary>How one program ended and the last of what it said.</summary>
internal sealed record StageResult(string Program, ProcessExit Exit, string StderrTail);
