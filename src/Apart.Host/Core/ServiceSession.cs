using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Protocol;

namespace Apart.Host.Core;

/// <summary>
/// Service mode (<c>apart-core --listen</c>): the core binds its address and serves presenters
/// one at a time as they come and go, greeting each with <c>status: running</c> and the jobs in
/// flight; jobs go on without a presenter. Only its service manager stops it (SIGTERM).
/// </summary>
internal sealed class ServiceSession(SessionParts parts, SystemdNotifier systemd) : Session(parts)
{
    /// <inheritdoc/>
    public override ITransport Open(ITransportFactory factory, string address)
    {
        var service = Parts.Options.Service ?? throw new InvalidOperationException("A service session needs service options.");
        var transport = factory.Listen(address, PresenterAccess.ListenOptionsFor(service, Parts.Logger));

        // Ready only once the socket exists: presenters started after this can connect.
        Parts.Logger.Listening(address);
        systemd.Notify(SystemdNotifier.Ready);
        return transport;
    }

    /// <inheritdoc/>
    protected override async Task<Ending> ServeAsync(PresenterLink link, CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                switch (await link.NextAsync(deadline: null, stopping).ConfigureAwait(false))
                {
                    case PresenterLink.Happening.Connected connected:
                        // Each presenter that connects learns what is in flight (docs/PROTOCOL.md §3).
                        Parts.Outbox.PresenterArrived(greetingFollows: true);
                        Parts.Router.Presenter = connected.Peer;
                        Parts.Router.QueueGreeting();
                        break;
                    case PresenterLink.Happening.Disconnected or PresenterLink.Happening.StoppedReading:
                        // A service outlives its presenters: the next one gets the status.
                        Parts.Outbox.PresenterLeft();
                        Parts.Router.Presenter = null;
                        Parts.Router.PresenterLeft();
                        ReturnMemory();
                        break;
                    case PresenterLink.Happening.Message message:
                        if (Parts.Router.Route(message.Payload))
                        {
                            Parts.Outbox.Post(new RequestError(
                                "A service-mode core does not exit on kill-request: its jobs go on for other presenters. Stop the service instead.",
                                MessageTypes.KillRequest));
                        }

                        break;
                    case PresenterLink.Happening.Closed or PresenterLink.Happening.Stopping:
                        return Ending.Stopped;
                }
            }
        }
        finally
        {
            systemd.Notify(SystemdNotifier.Stopping);
        }
    }

    // A service waits between presenters, often for days. What a presenter's requests allocated
    // (device listings, above all) is garbage once it has gone, but the GC lets its youngest
    // generation grow to a budget sized by the CPU's cache (tens of MiB here) before collecting
    // it, so without this the resident size climbs through the first few hundred presenters
    // (bench/RESULTS.md, Idle). A full, compacting collection that hands free memory back to the
    // system takes a few milliseconds of a heap this small, once per presenter. The runtime's
    // native allocations (the JIT's above all, while tiered compilation recompiles what the
    // presenters made hot) come from malloc's arenas, one per thread that allocated, and glibc
    // keeps their freed pages: malloc_trim hands those back too.
    private static void ReturnMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _ = Libc.malloc_trim(0);
    }
}
