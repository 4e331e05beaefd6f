using Apart.Abstractions;

namespace Apart.Transport.Zmq.Tests;

/// <summary>Reading a transport's events with deadlines, so a missing event fails instead of hanging.</summary>
public static class TransportAssertions
{
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    public static async Task<T> ExpectAsync<T>(this ITransport transport, TimeSpan? timeout = null)
        where T : TransportEvent
    {
        var next = await transport.NextEventAsync(timeout ?? EventTimeout);
        Assert.True(next is not null, $"no {typeof(T).Name} within {timeout ?? EventTimeout}");
        return next as T ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {next}");
    }

    public static async Task<byte[]> ExpectMessageAsync(this ITransport transport) =>
        (await transport.ExpectAsync<TransportEvent.MessageReceived>()).Payload.ToArray();

    public static async Task ExpectNoEventAsync(this ITransport transport, TimeSpan during)
    {
        var next = await transport.NextEventAsync(during);
        Assert.True(next is null, $"unexpected event {next}");
    }

    /// <summary>The next event, or null at the deadline (the event is not lost then).</summary>
    public static async Task<TransportEvent?> NextEventAsync(this ITransport transport, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await transport.Events.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
