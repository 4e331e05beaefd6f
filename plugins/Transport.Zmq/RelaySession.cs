using System.Buffers;
using System.Net.Sockets;

namespace Apart.Transport.Zmq;

/// <summary>
/// Copies bytes both ways between NetMQ's loopback connection and a Unix connection to the
/// presenter, unchanged: ZMTP passes through, so each end talks to the other as if directly.
/// </summary>
/// <remarks>
/// When one side ends, the other is half-closed first so it still reads everything sent before
/// the end. When the presenter leaves, NetMQ gets a short grace period to decode its last
/// messages before both connections close. When our side ends (the transport is closing), every
/// byte NetMQ sent has been passed on by then, and both close at once.
/// </remarks>
internal static class RelaySession
{
    private const int BufferSize = 32 * 1024;
    private static readonly TimeSpan s_closeGrace = TimeSpan.FromSeconds(1);

    /// <summary>Relays until either side closes (or cancellation), then closes and disposes both.</summary>
    public static async Task RunAsync(Socket loopback, Socket unix, CancellationToken cancellationToken)
    {
        using (loopback)
        using (unix)
        {
            var toPresenter = PumpAsync(loopback, unix, cancellationToken);
            var toNetMq = PumpAsync(unix, loopback, cancellationToken);
            if (await Task.WhenAny(toPresenter, toNetMq).ConfigureAwait(false) == toNetMq)
            {
                await Task.WhenAny(toPresenter, Task.Delay(s_closeGrace, CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var count = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }

                for (var sent = 0; sent < count;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, count - sent), SocketFlags.None, cancellationToken)
                        .ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A reset, a close by the other pump, or our own shutdown: each simply ends this direction.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ShutdownSend(to);
        }
    }

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone: nothing left to signal.
        }
    }
}
