using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Transport.Zmq.Tests;

public sealed class FactoryTests
{
    [Theory]
    [InlineData("ipc:///tmp/apart-1b2c.ipc", true)]
    [InlineData("ipc://@apart", true)]
    [InlineData("tcp://127.0.0.1:5555", true)]
    [InlineData("inproc://apart", false)]
    [InlineData("/tmp/apart.ipc", false)]
    [InlineData("IPC:///tmp/apart.ipc", false)]
    public void Supports_ipc_and_tcp_addresses(string address, bool supported) =>
        Assert.Equal(supported, new ZmqTransportFactory(NullLoggerFactory.Instance).Supports(address));

    [Fact]
    public async Task Connect_returns_a_pair_transport()
    {
        await using var transport = new ZmqTransportFactory().Connect($"ipc:///tmp/apart-zmq-test-{Guid.NewGuid():N}.ipc");
        Assert.IsType<PairTransport>(transport);
    }

    [Theory]
    [InlineData("ipc://")]
    [InlineData("ipc://@")]
    [InlineData("udp://127.0.0.1:5555")]
    public void Rejects_unusable_addresses(string address) =>
        Assert.Throws<ArgumentException>(() => PairTransport.Connect(address, NullLogger.Instance));

    [Fact]
    public void Rejects_an_ipc_path_longer_than_a_unix_socket_allows() =>
        Assert.Throws<ArgumentException>(() => PairTransport.Connect("ipc:///tmp/" + new string('a', 120), NullLogger.Instance));

    [Fact]
    public void The_plugin_registers_the_factory()
    {
        var services = new ServiceCollection();
        new ZmqTransportPlugin().Configure(services);

        var registration = Assert.Single(services, d => d.ServiceType == typeof(ITransportFactory));
        Assert.Equal(typeof(ZmqTransportFactory), registration.ImplementationType);
    }
}
