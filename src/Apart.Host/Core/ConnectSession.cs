using Apart.Abstractions;

namespace Apart.Host.Core;

/// <summary>
/// Connect mode, the classic one (docs/PROTOCOL.md §1): the core reaches the one presenter that
/// started it, greets it with <c>status: started</c>, and ends with it: on kill-request, on
/// SIGTERM, or when the presenter is gone for longer than a moment.
/// </summary>
internal sealed class ConnectSession(SessionParts parts) : Session(parts)
{
    /// <inheritdoc/>
    public override ITransport Open(ITransportFactory factory, string address) => factory.Connect(address);

    /// <inheritdoc/>
    protected override async Task<Ending> ServeAsync(PresenterLink link, CancellationToken stopping)
    {
        var options = Parts.Options;
        var greeted = false;
        DateTimeOffset? deadline = Parts.Time.GetUtcNow() + options.ConnectTimeout;
        while (true)
        {
            switch (await link.NextAsync(deadline, stopping).ConfigureAwait(false))
            {
                case PresenterLink.Happening.Connected connected:
                    Parts.Outbox.PresenterArrived(greetingFollows: false);
                    Parts.Router.Presenter = connected.Peer;
                    deadline = null;
                    if (!greeted)
                    {
                        Parts.Outbox.Post(await Parts.Startup.StartedAsync(stopping).ConfigureAwait(false));
                        greeted = true;
                    }

                    break;
                case PresenterLink.Happening.Disconnected:
                    Parts.Outbox.PresenterLeft();
                    Parts.Router.Presenter = null;
                    deadline = Parts.Time.GetUtcNow() + options.PresenterGrace;
                    break;
                case PresenterLink.Happening.Message message:
                    if (Parts.Router.Route(message.Payload))
                    {
                        return Ending.Killed;
                    }

                    break;
                case PresenterLink.Happening.DeadlinePassed:
                    Parts.Logger.PresenterGone(options.Address, greeted);
                    return Ending.PresenterLost;
                case PresenterLink.Happening.StoppedReading or PresenterLink.Happening.Closed:
                    return Ending.PresenterLost;
                case PresenterLink.Happening.Stopping:
                    return Ending.Stopped;
            }
        }
    }
}
