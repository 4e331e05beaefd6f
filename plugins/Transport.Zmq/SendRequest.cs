namespace Apart.Transport.Zmq;

/// <summary>One message waiting to be handed to NetMQ before its deadline.</summary>
internal sealed class SendRequest
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _cancellation;
    private readonly long _deadline;

    public SendRequest(byte[] payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Payload = payload;
        _deadline = timeout == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        _cancellation = cancellationToken.Register(() => _completion.TrySetCanceled(cancellationToken));
    }

    public byte[] Payload { get; }

    public Task<bool> Task => _completion.Task;

    /// <summary>Whether the caller no longer waits for it: done, timed out or cancelled.</summary>
    public bool IsSettled(long now)
    {
        if (now >= _deadline)
        {
            Complete(false);
        }

        return _completion.Task.IsCompleted;
    }

    public void Complete(bool handedOver)
    {
        _completion.TrySetResult(handedOver);
        _cancellation.Dispose();
    }
}
