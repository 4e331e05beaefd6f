using Apart.Abstractions;
using System.Runtime.Loader;
using McMaster.NETCore.Plugins.Loader;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apart.Plugins;

/// <summary>
/// Loads every plugin folder under <c>plugins/</c>: <c>plugins/NAME/NAME.dll</c>, in a load
/// context of its own that shares the contracts with the host, so a plugin's view of
/// <see cref="IServiceCollection"/> and of <see cref="ICompressor"/> is the host's own.
/// </summary>
public static class PluginFolderLoader
{
    /// <summary>The folder plugins are found in, beside the executable: <c>plugins/</c>.</summary>
    public static string BesideExecutable { get; } = Path.Join(AppContext.BaseDirectory, "plugins");

    private static readonly Type[] SharedTypes = [typeof(IApartPlugin), typeof(IServiceCollection), typeof(ILogger)];

    /// <summary>
    /// Loads the plugins and lets each register its services. A folder that fails is skipped:
    /// what it registered before failing is discarded and the failure is reported, never fatal.
    /// A plugin built against a contract version this host does not load
    /// (<see cref="ContractVersion.Loads"/>) is skipped before it is loaded, with an
    /// <see cref="IncompatiblePluginException"/> naming both versions.
    /// </summary>
    public static PluginLoadReport LoadAll(string pluginsDirectory, IServiceCollection services)
    {
        var report = new PluginLoadReport(pluginsDirectory);
        if (!Directory.Exists(pluginsDirectory))
        {
            return report;
        }

        foreach (var folder in Directory.EnumerateDirectories(pluginsDirectory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            try
            {
                var registered = Load(folder, name);
                foreach (var descriptor in registered)
                {
                    services.Add(descriptor);
                }

                report.Loaded.Add(name);
            }
#pragma warning disable CA1031 // A broken plugin, whatever the exception, must not stop the core.
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Failed.Add((name, e));
            }
        }

        return report;
    }

    private static ServiceCollection Load(string folder, string name)
    {
        var assemblyPath = Path.Combine(folder, name + ".dll");
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"A plugin folder must hold {name}.dll", assemblyPath);
        }

        // Checked before the assembly is loaded: a plugin built against contracts this host does not
        // offer would otherwise fail later and obscurely (a missing method on its first job).
        var builtAgainst = ContractVersion.ReferencedBy(assemblyPath);
        if (builtAgainst is not null && !ContractVersion.Loads(ContractVersion.Host, builtAgainst))
        {
            throw new IncompatiblePluginException(ContractVersion.Refusal(ContractVersion.Host, builtAgainst));
        }

        var entryPoints = LoadContextFor(assemblyPath).LoadFromAssemblyPath(assemblyPath).GetExportedTypes()
            .Where(type => typeof(IApartPlugin).IsAssignableFrom(type) && type is { IsClass: true, IsAbstract: false })
            .ToList();
        if (entryPoints.Count == 0)
        {
            throw new InvalidOperationException($"{name}.dll has no public class implementing {nameof(IApartPlugin)}");
        }

        // Registered into a scratch collection first, so a plugin that throws halfway leaves nothing behind.
        var registered = new ServiceCollection();
        foreach (var type in entryPoints)
        {
            var plugin = (IApartPlugin)(Activator.CreateInstance(type)
                ?? throw new InvalidOperationException($"Cannot create {type.FullName}"));
            plugin.Configure(registered);
        }

        return registered;
    }

    // McMaster's builder, as its PluginLoader would configure it for shared types, with two
    // costs left out (measured in bench/README.md): the PluginLoader reads every
    // *.runtimeconfig.json beside the host for development-time probing paths, which a published
    // layout has none of, with reflection-based JSON (≈ 50 ms of start-up); and without lazy
    // loading the builder loads every assembly the shared ones reference, transitively, whether
    // or not a plugin ever uses it (≈ 2 MiB). The default context is preferred either way, so
    // shared types still unify; the plugin's own dependencies resolve from its folder.
    private static AssemblyLoadContext LoadContextFor(string assemblyPath)
    {
        var builder = new AssemblyLoadContextBuilder()
            .SetMainAssemblyPath(assemblyPath)
            .PreferDefaultLoadContext(true)
            .IsLazyLoaded(true);
        foreach (var type in SharedTypes)
        {
            builder.PreferDefaultLoadContextAssembly(type.Assembly.GetName());
        }

        return builder.Build();
    }
}
