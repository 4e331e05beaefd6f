using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// Finds partclone's programs. Every tool is <c>PREFIX.VARIANT</c> (<c>/usr/sbin/partclone.ext4</c>):
/// PREFIX is <c>APART_PARTCLONE_CMD</c> when set, otherwise where <c>partclone.dd</c>, which every
/// partclone build installs, is found the way the host finds every program (<see cref="ProgramLocator"/>).
/// </summary>
public sealed class PartcloneLocator
{
    /// <summary>The environment variable naming PREFIX, kept from the original core.</summary>
    public const string PrefixVariable = "APART_PARTCLONE_CMD";

    private const string BaseName = "partclone";
    private const string ProbeVariant = "dd";

    private readonly string? _configuredPrefix;
    private readonly Func<string, string?> _find;

    // Cached once found; a miss is searched again next time, so installing partclone while the
    // core runs is noticed without a restart.
    private string? _foundPrefix;

    /// <summary>Creates a locator.</summary>
    /// <param name="configuredPrefix">
    /// PREFIX as <c>APART_PARTCLONE_CMD</c> gives it; null or empty to search. A relative prefix
    /// is taken from the current directory.
    /// </param>
    /// <param name="find">Finds a program by name; <see cref="ProgramLocator.Find"/> when null.</param>
    public PartcloneLocator(string? configuredPrefix = null, Func<string, string?>? find = null)
    {
        _configuredPrefix = string.IsNullOrEmpty(configuredPrefix) ? null : Path.GetFullPath(configuredPrefix);
        _find = find ?? ProgramLocator.Find;
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
        Prefix is { } prefix && ProgramLocator.IsExecutable(prefix + "." + variant);

    private string? Search() =>
        _find(BaseName + "." + ProbeVariant) is { } probe ? probe[..^(ProbeVariant.Length + 1)] : null;
}
