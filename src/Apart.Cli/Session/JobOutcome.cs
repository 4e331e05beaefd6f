using Apart.Protocol;

namespace Apart.Cli.Session;

/// <summary>How a clone, restore or verify ended.</summary>
internal abstract record JobOutcome
{
    private JobOutcome()
    {
    }

    /// <summary>The exit status for this ending (0, 1 or 130).</summary>
    public abstract int ExitCode { get; }

    /// <summary>The job finished; <paramref name="Final"/> is its last message, with <c>finish</c>.</summary>
    public sealed record Succeeded(JobProgress Final) : JobOutcome
    {
        /// <inheritdoc/>
        public override int ExitCode => ExitCodes.Success;
    }

    /// <summary>The job failed or could not start; <paramref name="Error"/> is the core's reason.</summary>
    /// <param name="Failure">The failure message, when the core sent one (not for a refused request).</param>
    public sealed record Failed(string Error, JobFailed? Failure) : JobOutcome
    {
        /// <inheritdoc/>
        public override int ExitCode => ExitCodes.Failure;
    }

    /// <summary>Cancelled by Ctrl-C: the core stopped the job and said <c>Cancelled</c>.</summary>
    public sealed record Cancelled(JobFailed Failure) : JobOutcome
    {
        /// <inheritdoc/>
        public override int ExitCode => ExitCodes.Cancelled;
    }
}
