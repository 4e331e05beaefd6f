using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Transport.Zmq;

/// <summary>ZeroMQ PAIR transport for <c>ipc://</c> and <c>tcp://</c> addresses.</summary>
public sealed class ZmqTransportPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ITransportFactory, ZmqTransportFactory>();
}
