using System.Net;
using System.Net.Sockets;

namespace Apart.Transport.Zmq.Tests;

public sealed class OwnConnectionCheckTests
{
    [Fact]
    public void Writes_endpoints_as_the_kernel_does_in_proc_net_tcp()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, 0x1F90);

        Assert.Equal("0100007F:1F90", OwnConnectionCheck.ToKernelText(endPoint, v6: false));
        Assert.Equal("0000000000000000FFFF00000100007F:1F90", OwnConnectionCheck.ToKernelText(endPoint, v6: true));
    }

    [Fact]
    public async Task Recognises_a_connection_this_process_opened()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptSocketAsync();

        Assert.True(OwnConnectionCheck.IsFromThisProcess(
            (IPEndPoint)accepted.RemoteEndPoint!, (IPEndPoint)listener.LocalEndpoint, out var inode));
        Assert.NotEqual(0ul, inode);
    }
}
