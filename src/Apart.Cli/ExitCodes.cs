namespace Apart.Cli;

/// <summary>The exit statuses of <c>apart</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Done as asked.</summary>
    public const int Success = 0;

    /// <summary>It failed; the reason is on standard error, one line (the core's error text).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>Cancelled by Ctrl-C (SIGINT) or SIGTERM, after the core confirmed it (128 + SIGINT).</summary>
    public const int Cancelled = 130;
}
