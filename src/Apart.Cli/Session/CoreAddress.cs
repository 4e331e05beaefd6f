using System.Security.Cryptography;

namespace Apart.Cli.Session;

/// <summary>A fresh <c>ipc://</c> address for one session: a Unix socket no one else is using.</summary>
internal static class CoreAddress
{
    /// <summary>
    /// <c>ipc://DIR/apart-cli-RANDOM.ipc</c>, with DIR <c>$XDG_RUNTIME_DIR</c> when it is set and
    /// exists (private to the user), otherwise <c>/tmp</c>.
    /// </summary>
    public static string NewIpcAddress(string? runtimeDirectory)
    {
        var directory = !string.IsNullOrEmpty(runtimeDirectory) && Directory.Exists(runtimeDirectory)
            ? runtimeDirectory.TrimEnd('/')
            : "/tmp";
        return $"ipc://{directory}/apart-cli-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.ipc";
    }

    /// <summary>A fresh address for this process's environment.</summary>
    public static string NewIpcAddress() => NewIpcAddress(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"));
}
