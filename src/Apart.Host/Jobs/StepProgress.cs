using Apart.Abstractions;

namespace Apart.Host.Jobs;

/// <summary>
/// The progress of a job done in steps (a disk's partitions, one after another), each weighted by
/// the data it moves: a step's size until its program says how much data it holds, then that.
/// What the steps' programs report becomes the job's: never going back, with the time left
/// estimated from the job's own pace.
/// </summary>
internal sealed class StepProgress
{
    // Below this much done, a pace says nothing yet.
    private const double EstimateFrom = 0.01;

    private readonly double[] _weights;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _start;
    private readonly object _gate = new();
    private int _step;
    private double _reported;

    /// <summary>Steps of these weights (bytes), started now.</summary>
    public StepProgress(IEnumerable<long> weights, TimeProvider time)
    {
        _weights = [.. weights.Select(weight => (double)Math.Max(1, weight))];
        _time = time;
        _start = time.GetUtcNow();
    }

    /// <summary>Moves on to step <paramref name="step"/> (the ones before it are done).</summary>
    public void Begin(int step)
    {
        lock (_gate)
        {
            _step = step;
        }
    }

    /// <summary>The job's progress, from the update of the current step's program.</summary>
    public ImagingProgress Overall(ImagingProgress update)
    {
        lock (_gate)
        {
            if (update.DataBytes is { } data)
            {
                _weights[_step] = Math.Max(1, data);
            }

            var done = _weights.Take(_step).Sum() + (Math.Clamp(update.Complete, 0, 1) * _weights[_step]);
            _reported = Math.Max(_reported, done / _weights.Sum());
            var elapsed = _time.GetUtcNow() - _start;
            TimeSpan? remaining = _reported >= EstimateFrom ? elapsed * ((1 - _reported) / _reported) : null;
            return new ImagingProgress(_reported, remaining, update.Rate);
        }
    }

    /// <summary>The job's progress at the end of the current step.</summary>
    public ImagingProgress StepDone() => Overall(new ImagingProgress(1, null, null));
}
