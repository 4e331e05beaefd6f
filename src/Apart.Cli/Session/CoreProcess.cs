using System.Diagnostics;
using Tmds.Linux;

namespace Apart.Cli.Session;

/// <summary>
/// The apart-core process this presenter started. It runs in a session of its own (through
/// <c>setsid</c>), so a Ctrl-C in the terminal reaches only <c>apart</c>, which then cancels
/// through the protocol. Its standard error (its log) is kept, the last lines of it, to explain
/// an unexpected exit.
/// </summary>
internal sealed class CoreProcess : IDisposable
{
    private const int KeptLogLines = 20;
    private static readonly string[] s_setsidCandidates = ["/usr/bin/setsid", "/bin/setsid"];

    private readonly Process _process;
    private readonly Queue<string> _log = new();

    private CoreProcess(Process process) => _process = process;

    /// <summary>The core's process id (setsid execs it in place, so it is the process started).</summary>
    public int Pid => _process.Id;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited { get; private set; } = Task.CompletedTask;

    /// <summary>The exit status, once <see cref="Exited"/> has completed.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="corePath"/> in connect mode towards <paramref name="address"/>.</summary>
    /// <exception cref="CoreLostException">The program is missing or cannot be run.</exception>
    public static CoreProcess Start(string corePath, string address)
    {
        if (!File.Exists(corePath))
        {
            throw new CoreLostException(
                $"apart-core was not found at {corePath}: build it (scripts/build.sh), or set {CoreLocator.EnvironmentVariable} to its path.");
        }

        var setsid = s_setsidCandidates.FirstOrDefault(File.Exists);
        var start = new ProcessStartInfo(setsid ?? corePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add(corePath);
        }

        start.ArgumentList.Add(address);
        var process = new Process { StartInfo = start };
        var core = new CoreProcess(process);
        process.ErrorDataReceived += (_, line) => core.Keep(line.Data);
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new CoreLostException($"apart-core at {corePath} could not be started: {e.Message}");
        }

        core.Exited = process.WaitForExitAsync();
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return core;
    }

    /// <summary>The last line the core logged, if any.</summary>
    public string? LastLogLine
    {
        get
        {
            lock (_log)
            {
                return _log.LastOrDefault(line => line.Trim().Length > 0)?.Trim();
            }
        }
    }

    /// <summary>Asks the core to stop as SIGTERM asks: it cancels its jobs and exits.</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            _ = LibC.kill(_process.Id, LibC.SIGTERM);
        }
    }

    /// <summary>Kills the core outright: the last resort when it does not stop when asked.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Why the core is gone, for a one-line error.</summary>
    public string DescribeExit()
    {
        var status = Exited.IsCompleted ? $" with status {ExitCode}" : "";
        return LastLogLine is { } last ? $"apart-core exited{status}: {last}" : $"apart-core exited{status}.";
    }

    /// <summary>Releases the process handle (the process itself is not touched).</summary>
    public void Dispose() => _process.Dispose();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            if (_log.Count > KeptLogLines)
            {
                _log.Dequeue();
            }
        }
    }
}
