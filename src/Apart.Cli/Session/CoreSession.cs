using Apart.Abstractions;
using Apart.Protocol;

namespace Apart.Cli.Session;

/// <summary>
/// One conversation with a core. With a core of our own, as any presenter has it (docs/PROTOCOL.md §1):
/// bind a PAIR socket at a fresh <c>ipc://</c> address, start apart-core connected to it, admit
/// only that process, wait for <c>status: started</c>; at the end send <c>kill-request</c> and wait
/// for <c>status: dying</c> and the core's exit. With a service (<c>apart-core --listen</c>):
/// connect to its address, wait for <c>status: running</c>; at the end just close, leaving the
/// service and any job of other presenters running.
/// </summary>
internal sealed class CoreSession : ICoreChannel, IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_dyingTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_admitWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_greetingTimeout = TimeSpan.FromSeconds(15);

    private readonly ITransport _transport;

    // Our own core; null when connected to a service.
    private readonly CoreProcess? _core;

    // The service's address; null with a core of our own.
    private readonly string? _serviceAddress;
    private readonly Task _coreExited;
    private bool _connected;
    private bool _lost;
    private int _disposed;

    private CoreSession(ITransport transport, CoreProcess? core, string? serviceAddress)
    {
        _transport = transport;
        _core = core;
        _serviceAddress = serviceAddress;
        _coreExited = core?.Exited ?? new TaskCompletionSource().Task;
    }

    /// <summary>
    /// The core's first status: <c>status: started</c> from a core of our own, <c>status: running</c>
    /// from a service. The inventory and compression options (and a service's jobs in flight).
    /// </summary>
    public StatusEvent Started { get; private set; } = new(CoreStatus.Started);

    /// <summary>Whether this is the apart-core service (its mounts outlive the session), not a core of our own.</summary>
    public bool IsService => _core is null;

    /// <summary>The ids of the jobs a service was already running when we connected: other presenters' jobs.</summary>
    public IReadOnlyCollection<string> JobsInFlight => (Started.Jobs ?? []).Select(job => job.Id).ToHashSet();

    /// <summary>Starts a core and waits until it has said <c>status: started</c>.</summary>
    /// <exception cref="CoreLostException">The core could not be started or exited before it said so.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the core is stopped.</exception>
    public static async Task<CoreSession> StartAsync(CancellationToken cancellationToken = default)
    {
        var address = CoreAddress.NewIpcAddress();
        var corePid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Only the process we spawn may connect; the kernel vouches for the peer's pid.
        var transport = TransportPlugins.For(address).Listen(address, new ListenOptions
        {
            Admit = peer => corePid.Task.Wait(s_admitWait) && corePid.Task.Result == peer.Pid,
            SocketMode = FileModes.OwnerOnly,
        });
        CoreProcess core;
        try
        {
            core = CoreProcess.Start(CoreLocator.Locate(), address);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        corePid.SetResult(core.Pid);
        var session = new CoreSession(transport, core, null);
        try
        {
            session.Started = await session.WaitForStartedAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects to the apart-core service at <paramref name="address"/> and waits for its <c>status: running</c>.</summary>
    /// <exception cref="CoreLostException">No service there, this user may not connect, or it did not answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public static async Task<CoreSession> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        var path = address["ipc://".Length..];
        if (!path.StartsWith('@') && ServiceSocket.Problem(address, path) is { } problem)
        {
            throw new CoreLostException(problem);
        }

        ITransport transport;
        try
        {
            transport = TransportPlugins.For(address).Connect(address);
        }
        catch (ArgumentException e)
        {
            throw new CoreLostException($"cannot connect to {address}: {e.Message}");
        }

        var session = new CoreSession(transport, null, address);
        try
        {
            session.Started = await session.WaitForGreetingAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one request.</summary>
    /// <exception cref="CoreLostException">The core is gone or does not take the message.</exception>
    public async Task SendAsync(Request request, CancellationToken cancellationToken = default)
    {
        if (_lost || !await _transport.SendAsync(ProtocolCodec.Encode(request), s_sendTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw Lost();
        }
    }

    /// <summary>The next message from the core, skipping types this presenter does not know.</summary>
    /// <exception cref="CoreLostException">The core went away.</exception>
    /// <exception cref="CoreMessageException">The core sent something unreadable.</exception>
    public async Task<CoreEvent> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var events = _transport.Events;
        while (true)
        {
            if (events.TryRead(out var happened))
            {
                switch (happened)
                {
                    case TransportEvent.PeerConnected:
                        _connected = true;
                        continue;
                    case TransportEvent.PeerDisconnected:
                        _connected = false;
                        if (_core is not null)
                        {
                            await WaitQuietlyAsync(_coreExited, TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                        }

                        throw Lost();
                    case TransportEvent.MessageReceived message:
                        if (Decode(message.Payload) is { } decoded)
                        {
                            return decoded;
                        }

                        continue;
                }
            }

            if (_lost)
            {
                throw Lost();
            }

            var readable = events.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(readable, _coreExited).ConfigureAwait(false) != readable && !readable.IsCompleted)
            {
                // Whatever it sent before exiting has been read by now; wait a moment for stragglers.
                await WaitQuietlyAsync(readable, TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
                if (!readable.IsCompleted)
                {
                    throw Lost();
                }
            }

            if (!await readable.ConfigureAwait(false))
            {
                throw Lost();
            }
        }
    }

    /// <summary>
    /// Ends the core of our own properly: <c>kill-request</c>, <c>status: dying</c>, exit; force
    /// only if it will not. A service is only disconnected from: it goes on serving.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_core is null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            if (!_core.Exited.IsCompleted)
            {
                if (_connected && !_lost)
                {
                    await RequestDeathAsync().ConfigureAwait(false);
                }
                else
                {
                    // Not talking yet (interrupted while it starts): SIGTERM asks the same of it.
                    _core.Terminate();
                }
            }

            if (!await WaitQuietlyAsync(_core.Exited, s_exitTimeout).ConfigureAwait(false))
            {
                _core.Terminate();
                if (!await WaitQuietlyAsync(_core.Exited, s_exitTimeout).ConfigureAwait(false))
                {
                    _core.Kill();
                    await WaitQuietlyAsync(_core.Exited, s_exitTimeout).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
            _core.Dispose();
        }
    }

    private async Task<StatusEvent> WaitForStartedAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_startTimeout);
        try
        {
            while (true)
            {
                if (await ReceiveAsync(timeout.Token).ConfigureAwait(false) is StatusEvent { Status: CoreStatus.Started } started)
                {
                    return started;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CoreLostException($"apart-core did not report for {s_startTimeout.TotalSeconds:0} s. {_core?.LastLogLine}".TrimEnd());
        }
    }

    private async Task<StatusEvent> WaitForGreetingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_greetingTimeout);
        try
        {
            while (true)
            {
                // A message meant for the presenter before us may come first; the greeting is what counts.
                if (await ReceiveAsync(timeout.Token).ConfigureAwait(false) is StatusEvent { Status: CoreStatus.Running } running)
                {
                    return running;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CoreLostException(
                $"the apart-core service at {_serviceAddress} did not answer within {s_greetingTimeout.TotalSeconds:0} s "
                + "(it serves one presenter at a time: is another one connected?)");
        }
    }

    private async Task RequestDeathAsync()
    {
        using var timeout = new CancellationTokenSource(s_dyingTimeout);
        try
        {
            await SendAsync(new KillRequest(), timeout.Token).ConfigureAwait(false);
            while (await ReceiveAsync(timeout.Token).ConfigureAwait(false) is not StatusEvent { Status: CoreStatus.Dying })
            {
                // Failure messages of jobs the kill-request cancelled: nobody waits for them now.
            }
        }
        catch (Exception e) when (e is CoreLostException or CoreMessageException or OperationCanceledException)
        {
            // The exit waits below and the signals after them take it from here.
        }
    }

    private CoreLostException Lost()
    {
        _lost = true;
        if (_core is null)
        {
            return new CoreLostException(Started.Status == CoreStatus.Running
                ? $"the apart-core service at {_serviceAddress} closed the connection (it is stopping, or restarted)"
                : $"the apart-core service at {_serviceAddress} closed the connection: it admits root and the members of its group, one presenter at a time");
        }

        return new CoreLostException(_core.Exited.IsCompleted ? _core.DescribeExit() : "apart-core stopped answering.");
    }

    // A message this presenter cannot read ends the conversation; one of a type it does not know passes by.
    private static CoreEvent? Decode(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return ProtocolCodec.DecodeEvent(payload.Span);
        }
        catch (InvalidMessageException e)
        {
            throw new CoreMessageException($"The core sent a message this presenter cannot read: {e.Message}", e);
        }
    }

    private static async Task<bool> WaitQuietlyAsync(Task task, TimeSpan timeout)
    {
        await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false);
        return task.IsCompleted;
    }
}
