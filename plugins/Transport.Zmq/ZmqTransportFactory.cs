using Apart.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Transport.Zmq;

/// <summary>Creates <see cref="PairTransport"/>s for <c>ipc://</c> and <c>tcp://</c> addresses.</summary>
public sealed class ZmqTransportFactory : ITransportFactory
{
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the factory; transports log through <paramref name="loggerFactory"/>.</summary>
    public ZmqTransportFactory(ILoggerFactory? loggerFactory = null) =>
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;

    /// <inheritdoc/>
    public bool Supports(string address) => ZmqAddress.HasKnownScheme(address);

    /// <inheritdoc/>
    public ITransport Connect(string address) =>
        PairTransport.Connect(address, _loggerFactory.CreateLogger<PairTransport>());

    /// <inheritdoc/>
    public ITransport Listen(string address, ListenOptions options) =>
        PairTransport.Bind(address, options, _loggerFactory.CreateLogger<PairTransport>());
}
