using System.Reflection;
using Apart.Abstractions;

namespace Apart.Plugins;

/// <summary>
/// Which plugins a host loads, by the version of <c>Apart.Abstractions</c> each was built against
/// (docs/PLUGINS.md, "Which hosts load a plugin"): the same major version as the host's, and a
/// minor version no higher than the host's. Within a major version the contracts only grow, so a
/// host offers everything an older plugin of that major version compiled against; a plugin built
/// against a newer minor version may use what this host lacks, and one of another major version
/// was built against contracts that changed.
/// </summary>
public static class ContractVersion
{
    /// <summary>The name of the contracts' assembly and package.</summary>
    public const string AssemblyName = "Apart.Abstractions";

    /// <summary>The contract version this host offers: its own <c>Apart.Abstractions</c>, MAJOR.MINOR.PATCH.</summary>
    public static Version Host { get; } = HostVersion();

    /// <summary>Whether a host offering <paramref name="host"/> loads a plugin built against <paramref name="builtAgainst"/>.</summary>
    public static bool Loads(Version host, Version builtAgainst)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(builtAgainst);
        return builtAgainst.Major == host.Major && builtAgainst.Minor <= host.Minor;
    }

    /// <summary>The versions a host offering <paramref name="host"/> loads plugins built against: <c>1.0</c>, <c>1.0 to 1.2</c>.</summary>
    public static string Accepted(Version host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Minor == 0 ? $"{host.Major}.0" : $"{host.Major}.0 to {host.Major}.{host.Minor}";
    }

    /// <summary>Why a host offering <paramref name="host"/> skips a plugin built against <paramref name="builtAgainst"/>.</summary>
    public static string Refusal(Version host, Version builtAgainst)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(builtAgainst);
        return $"built against {AssemblyName} {builtAgainst.Major}.{builtAgainst.Minor}, "
            + $"this host offers {host.ToString(3)} (it loads plugins built against {Accepted(host)})";
    }

    /// <summary>
    /// The version of <c>Apart.Abstractions</c> an assembly references, read from its metadata
    /// (the reference is not resolved, so nothing of it is loaded); null when it references none.
    /// (A plugin records MAJOR.MINOR: the contracts' assembly version.)
    /// </summary>
    public static Version? ReferencedBy(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetReferencedAssemblies().FirstOrDefault(reference => reference.Name == AssemblyName)?.Version;
    }

    private static Version HostVersion()
    {
        var assembly = typeof(IApartPlugin).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // 1.2.3, 1.2.3-beta.1 or 1.2.3+commit: the numbers are the version.
        var numbers = informational?.Split('+', '-')[0];
        if (numbers is not null && Version.TryParse(numbers, out var version) && version.Build >= 0)
        {
            return new Version(version.Major, version.Minor, version.Build);
        }

        var name = assembly.GetName().Version ?? new Version(0, 0);
        return new Version(name.Major, name.Minor, 0);
    }
}
