namespace Apart.Transport.Zmq;

/// <summary>How long a closing transport lets its relay pass on what NetMQ flushed last.</summary>
internal static class RelayDrain
{
    /// <summary>Enough for NetMQ to flush a last message and close; short enough not to hold up an exit.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1.5);

    /// <summary>Waits for a relay session to end by itself, at most <see cref="Timeout"/>.</summary>
    public static Task WaitAsync(Task session) => Task.WhenAny(session, Task.Delay(Timeout));
}
