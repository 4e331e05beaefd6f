namespace Apart.Plugins;

/// <summary>Which plugin folders loaded and which failed, logged once the host is up.</summary>
public sealed class PluginLoadReport(string directory)
{
    /// <summary>The plugins folder searched.</summary>
    public string Directory { get; } = directory;

    /// <summary>Folders whose plugin registered its services.</summary>
    public List<string> Loaded { get; } = [];

    /// <summary>Folders skipped, with why.</summary>
    public List<(string Folder, Exception Error)> Failed { get; } = [];
}
