using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Cli.Protocol;
using Apart.Transport.Zmq;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Cli.Session;

/// <summary>
/// One conversation with a core of our own, as any presenter has it (PROTOCOL.md §1): bind a PAIR
/// socket at a fresh <c>ipc://</c> address, start apart-core connected to it, admit only that
/// process, wait for <c>status: started</c>; at the end send <c>kill-request</c> and wait for
/// <c>status: dying</c> and the core's exit.
/// </summary>
internal sealed class CoreSession : ICoreChannel, IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_dyingTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_admitWait = TimeSpan.FromSeconds(1);

    private readonly PairTransport _transport;
    private readonly CoreProcess _core;
    private bool _connected;
    private bool _lost;
    private int _disposed;

    private CoreSession(PairTransport transport, CoreProcess core)
    {
        _transport = transport;
        _core = core;
    }

    /// <summary>The core's <c>status: started</c> message: the inventory and compression options.</summary>
    public StatusEvent Started { get; private set; } = new(CoreStatus.Started);

    /// <summary>Starts a core and waits until it has said <c>status: started</c>.</summary>
    /// <exception cref="CoreLostException">The core could not be started or exited before it said so.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; the core is stopped.</exception>
    public static async Task<CoreSession> StartAsync(CancellationToken cancellationToken = default)
    {
        var address = CoreAddress.NewIpcAddress();
        var corePid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Only the process we spawn may connect; the kernel vouches for the peer's pid.
        var transport = PairTransport.Bind(
            address,
            peer => corePid.Task.Wait(s_admitWait) && corePid.Task.Result == peer.Pid,
            NullLogger.Instance);
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
        var session = new CoreSession(transport, core);
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

    /// <summary>Sends one request.</summary>
    /// <exception cref="CoreLostException">The core is gone or does not take the message.</exception>
    public async Task SendAsync(Request request, CancellationToken cancellationToken = default)
    {
        if (_lost || !await _transport.SendAsync(RequestEncoder.Encode(request), s_sendTimeout, cancellationToken).ConfigureAwait(false))
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
                        await WaitQuietlyAsync(_core.Exited, TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                        throw Lost();
                    case TransportEvent.MessageReceived message:
                        if (EventDecoder.Decode(message.Payload.Span) is { } decoded)
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
            if (await Task.WhenAny(readable, _core.Exited).ConfigureAwait(false) != readable && !readable.IsCompleted)
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

    /// <summary>Ends the core properly: <c>kill-request</c>, <c>status: dying</c>, exit; force only if it will not.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
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
            throw new CoreLostException($"apart-core did not report for {s_startTimeout.TotalSeconds:0} s. {_core.LastLogLine}".TrimEnd());
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
        return new CoreLostException(_core.Exited.IsCompleted ? _core.DescribeExit() : "apart-core stopped answering.");
    }

    private static async Task<bool> WaitQuietlyAsync(Task task, TimeSpan timeout)
    {
        await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false);
        return task.IsCompleted;
    }
}
