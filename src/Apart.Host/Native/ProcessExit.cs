namespace Apart.Host.Native;

/// <summary>How a child process ended: an exit code, or the signal that killed it.</summary>
internal readonly record struct ProcessExit(int Code, int Signal)
{
    private const int SIGPIPE = 13;

    /// <summary>Exited with status 0.</summary>
    public bool Succeeded => Signal == 0 && Code == 0;

    /// <summary>
    /// Ended because whatever read its output went away (SIGPIPE, or the exit status 141 a shell
    /// stand-in reports for it): a consequence of another failure, never the cause.
    /// </summary>
    public bool BrokenPipe => Signal == SIGPIPE || (Signal == 0 && Code == 128 + SIGPIPE);

    /// <summary>"exited with status 2" or "was killed by signal 9 (SIGKILL)".</summary>
    public string Describe() => Signal != 0
        ? $"was killed by signal {Signal} ({SignalName(Signal)})"
        : $"exited with status {Code}";

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };
}
