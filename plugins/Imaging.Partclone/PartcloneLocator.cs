namespace Apart.Imaging.Partclone;

/// <summary>
/// Finds partclone's programs. Every tool is <c>PREFIX.VARIANT</c> (<c>/usr/sbin/partclone.ext4</c>):
/// PREFIX is <c>APART_PARTCLONE_CMD</c> when set, otherwise the first of the usual sbin/bin
/// directories holding <c>partclone.dd</c>, which every partclone build installs.
/// </summary>
public sealed class PartcloneLocator
{
    /// <summary>The environment variable naming PREFIX, kept from the original core.</summary>
    public const string PrefixVariable = "APART_PARTCLONE_CMD";

    /// <summary>Where partclone is looked for when no prefix is configured, in this order.</summary>
    public static IReadOnlyList<string> DefaultDirectories { get; } =
        ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];

    private const string BaseName = "partclone";
    private const string ProbeVariant = "dd";

    private readonly string? _configuredPrefix;
    private readonly IReadOnlyList<string> _directories;

    // Cached once found; a miss is searched again next time, so installing partclone while the
    // core runs is noticed without a restart.
    private string? _foundPrefix;

    /// <summary>Creates a locator.</summary>
    /// <param name="configuredPrefix">
    /// PREFIX as <c>APART_PARTCLONE_CMD</c> gives it; null or empty to search
    /// <paramref name="directories"/>. A relative prefix is taken from the current directory.
    /// </param>
    /// <param name="directories">Where to search; <see cref="DefaultDirectories"/> when null.</param>
    public PartcloneLocator(string? configuredPrefix = null, IReadOnlyList<string>? directories = null)
    {
        _configuredPrefix = string.IsNullOrEmpty(configuredPrefix) ? null : Path.GetFullPath(configuredPrefix);
        _directories = directories ?? DefaultDirectories;
    }

    /// <summary>A locator configured from <see cref="PrefixVariable"/> as the process has it now.</summary>
    public static PartcloneLocator FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(PrefixVariable));

    /// <summary>
    /// The configured prefix, or the one found on this machine (<c>/usr/sbin/partclone</c>); null
    /// when none is configured and partclone is not installed.
    /// </summary>
    public string? Prefix => _configuredPrefix ?? (_foundPrefix ??= Search());

    /// <summary>
    /// The path of <c>PREFIX.VARIANT</c>; without any prefix, the bare name <c>partclone.VARIANT</c>,
    /// which fails to start with a clear "not found".
    /// </summary>
    public string ProgramPath(string variant) => (Prefix ?? BaseName) + "." + variant;

    /// <summary>Whether <c>PREFIX.VARIANT</c> exists and is an executable file.</summary>
    public bool IsInstalled(string variant) =>
        Prefix is { } prefix && IsExecutableFile(prefix + "." + variant);

    private string? Search()
    {
        foreach (var directory in _directories)
        {
            var prefix = Path.Combine(directory, BaseName);
            if (IsExecutableFile(prefix + "." + ProbeVariant))
            {
                return prefix;
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        const UnixFileMode anyExecute =
            UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            // Distributions install most variants as symlinks (partclone.ext4 -> partclone.extfs):
            // what counts is the file at the end of the chain.
            FileSystemInfo file = new FileInfo(path);
            if (file.LinkTarget is not null)
            {
                file = file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
            }

            return file is FileInfo { Exists: true } && (file.UnixFileMode & anyExecute) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
