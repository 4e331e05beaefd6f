using System.Runtime.InteropServices;

namespace Apart.Cli;

/// <summary>
/// Ctrl-C (SIGINT), SIGTERM and SIGHUP as a cancellation token. The first signal cancels the
/// token and the process keeps running, so a job is cancelled through the protocol and the demo
/// removes what it made. A second Ctrl-C only says what is happening; a third ends the process at
/// once (the core notices its presenter is gone and cleans up by itself). SIGTERM and SIGHUP never
/// end it at once: whoever sends them wants it to stop cleanly.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private const int InterruptsBeforeGivingUp = 3;

    private readonly CancellationTokenSource _source = new();
    private readonly TextWriter _notices;
    private readonly PosixSignalRegistration[] _registrations;
    private int _interrupts;

    private Interruption(TextWriter notices)
    {
        _notices = notices;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    /// <summary>Fires at the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Starts listening; <paramref name="notices"/> hears about repeated signals.</summary>
    public static Interruption Listen(TextWriter notices) => new(notices);

    /// <summary>Stops listening; signals then have their default effect again.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        var interrupts = context.Signal == PosixSignal.SIGINT ? Interlocked.Increment(ref _interrupts) : 0;
        if (interrupts >= InterruptsBeforeGivingUp)
        {
            return; // The default action: exit now.
        }

        context.Cancel = true;
        if (!_source.IsCancellationRequested)
        {
            _source.Cancel();
        }
        else if (interrupts > 0)
        {
            try
            {
                _notices.WriteLine("apart: stopping: waiting for apart-core to confirm (Ctrl-C once more to quit without waiting)");
            }
            catch (IOException)
            {
                // The terminal is gone; stopping goes on.
            }
        }
    }
}
