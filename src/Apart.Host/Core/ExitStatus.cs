namespace Apart.Host.Core;

/// <summary>The process's exit status, decided by whichever way the core ends.</summary>
internal sealed class ExitStatus
{
    /// <summary>Asked to stop (kill-request, SIGTERM, SIGINT): exit 0.</summary>
    public const int Stopped = 0;

    /// <summary>Started wrongly (no argument, no transport for the address).</summary>
    public const int Usage = 1;

    /// <summary>Something failed that the core could not go on from.</summary>
    public const int Failed = 2;

    /// <summary>The presenter went away or never came: jobs cancelled, nothing more sent.</summary>
    public const int PresenterLost = 3;

    /// <summary>The status to exit with.</summary>
    public int Code { get; set; } = Stopped;
}
