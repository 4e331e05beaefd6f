namespace Apart.Host.Core;

/// <summary>How this core was started.</summary>
/// <param name="Address">Connect mode: the presenter's bound address (docs/PROTOCOL.md §1). Service mode: where to listen.</param>
/// <param name="PluginsDirectory">Where plugin folders are: <c>plugins/</c> beside the executable.</param>
/// <param name="StateDirectory">Where the core keeps its journals: the images it is writing, the loop devices and mounts it made.</param>
internal sealed record CoreOptions(string Address, string PluginsDirectory, string StateDirectory)
{
    /// <summary>
    /// Where the core keeps what it can always make again: the indexes that let it read compressed
    /// images in place (<see cref="Mounting.MountIndexFiles"/>).
    /// </summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory;

    /// <summary>The cache directory unless the CacheDirectory setting says otherwise.</summary>
    public const string DefaultCacheDirectory = "/var/cache/apart-core";

    /// <summary>Service mode's settings; null in connect mode.</summary>
    public ServiceOptions? Service { get; init; }

    /// <summary>How long a connect-mode core waits for its presenter to come (back) before it gives up.</summary>
    public TimeSpan PresenterGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The user who started the core through pkexec or sudo: a root presenter's images are
    /// given to them (see <see cref="Jobs.ImageOwner"/>). Null: root's images stay root's.
    /// </summary>
    public Jobs.ImageOwner? StartedFor { get; init; }

    /// <summary>Where <see cref="RuntimeDirectory"/> is unless configured.</summary>
    public const string DefaultRuntimeDirectory = "/run/apart-core";

    /// <summary>
    /// Where the core makes what lives only while it runs: the FUSE servers of mounted images and
    /// the mount points it makes for them (default <see cref="DefaultRuntimeDirectory"/>).
    /// </summary>
    public string RuntimeDirectory { get; init; } = DefaultRuntimeDirectory;

    /// <summary>How long a connect-mode core waits for the first connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
