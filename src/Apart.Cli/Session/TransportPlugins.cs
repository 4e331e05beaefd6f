using Apart.Abstractions;
using Apart.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Cli.Session;

/// <summary>
/// The transports apart can talk to a core through: those the plugin folders beside it register,
/// loaded as apart-core loads them. apart logs nothing of its own, so neither do they.
/// </summary>
internal static class TransportPlugins
{
    private static readonly Lazy<(IReadOnlyList<ITransportFactory> Factories, PluginLoadReport Report)> s_loaded = new(Load);

    /// <summary>The transport for <paramref name="address"/>.</summary>
    /// <exception cref="CoreLostException">No transport plugin handles it.</exception>
    public static ITransportFactory For(string address)
    {
        var (factories, report) = s_loaded.Value;
        return factories.FirstOrDefault(factory => factory.Supports(address)) ?? throw new CoreLostException(
            $"no transport plugin in {report.Directory} handles {address} (loaded: {(report.Loaded.Count == 0 ? "none" : string.Join(", ", report.Loaded))})");
    }

    private static (IReadOnlyList<ITransportFactory>, PluginLoadReport) Load()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var report = PluginFolderLoader.LoadAll(PluginFolderLoader.BesideExecutable, services);

        // Built once and kept for the life of the process: transports live as long as apart.
        var provider = services.BuildServiceProvider();
        return (provider.GetServices<ITransportFactory>().ToList(), report);
    }
}
