using Apart.Abstractions;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// Loads the plugins and lets each register its services. A folder that fails is skipped:
    /// what it registered before failing is discarded and the failure is reported, never fatal.
    /// A plugin built against a contract version this host does not load
    /// (<see cref="ContractVersion.Loads"/>) is skipped before any of its types is loaded, with an
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

        // Checked before any of its types is loaded (loading the assembly reads its metadata, runs
        // nothing and resolves none of its references): a plugin built against contracts this host
        // does not offer would otherwise fail later and obscurely (a missing method on its first job).
        var assembly = new PluginLoadContext(assemblyPath).LoadFromAssemblyPath(assemblyPath);
        var builtAgainst = ContractVersion.ReferencedBy(assembly);
        if (builtAgainst is not null && !ContractVersion.Loads(ContractVersion.Host, builtAgainst))
        {
            throw new IncompatiblePluginException(ContractVersion.Refusal(ContractVersion.Host, builtAgainst));
        }

        var entryPoints = assembly.GetExportedTypes()
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

    // A plugin's own load context: every assembly the host has (the contracts, the framework, the
    // host's own dependencies) comes from the host's context, so a plugin's view of the shared
    // types is the host's; the plugin's own dependencies resolve from its folder, as its deps.json
    // says (read by the runtime's own resolver). Nothing is loaded before something asks for it.
    private sealed class PluginLoadContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(assemblyPath))
    {
        // The default context's assemblies: the trusted platform assemblies the host was started with.
        private static readonly HashSet<string> s_hostAssemblies =
            ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .ToHashSet(StringComparer.OrdinalIgnoreCase);

        private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

        // Null leaves the name to the default context.
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name is { } name && !s_hostAssemblies.Contains(name) && _resolver.ResolveAssemblyToPath(assemblyName) is { } path
                ? LoadFromAssemblyPath(path)
                : null;

        protected override nint LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : 0;
    }
}
