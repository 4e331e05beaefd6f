using Apart.Protocol;

namespace Apart.Cli.Session;

/// <summary>Requests to a core and its messages back: what a job needs of a session.</summary>
internal interface ICoreChannel
{
    /// <summary>Sends one request.</summary>
    /// <exception cref="CoreLostException">The core is gone.</exception>
    Task SendAsync(Request request, CancellationToken cancellationToken = default);

    /// <summary>The next message from the core.</summary>
    /// <exception cref="CoreLostException">The core went away.</exception>
    Task<CoreEvent> ReceiveAsync(CancellationToken cancellationToken = default);
}
