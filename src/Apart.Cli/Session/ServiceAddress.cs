namespace Apart.Cli.Session;

/// <summary>Where a running apart-core service is, when a command is to use it instead of a core of its own.</summary>
internal static class ServiceAddress
{
    /// <summary>The environment variable that names a service to connect to, as <c>--connect</c> does.</summary>
    public const string EnvironmentVariable = "APART_CONNECT";

    /// <summary>The option's address, else the environment's; null (start a core of our own) when neither is set.</summary>
    public static string? Choose(string? option, string? environment) =>
        !string.IsNullOrEmpty(option) ? option : string.IsNullOrEmpty(environment) ? null : environment;

    /// <summary>For this process: <paramref name="option"/>, else <c>APART_CONNECT</c>.</summary>
    public static string? Choose(string? option) => Choose(option, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Why <paramref name="address"/> cannot be connected to, or null when it can.</summary>
    /// <param name="address">The address given.</param>
    /// <param name="givenBy">What gave it, for the message: <c>--connect</c> or <c>APART_CONNECT</c>.</param>
    /// <remarks>
    /// A service on tcp:// is always a CURVE server, and apart has no CURVE client keys: tcp:// is
    /// refused here rather than left to wait for a greeting that would never come.
    /// </remarks>
    public static string? Problem(string address, string givenBy = "--connect")
    {
        if (address.StartsWith("ipc://", StringComparison.Ordinal) && address.Length > "ipc://".Length)
        {
            return null;
        }

        return address.StartsWith("tcp://", StringComparison.Ordinal)
            ? $"{givenBy} {address}: apart reaches a service over ipc:// only (a tcp:// service speaks CURVE, which apart does not)"
            : $"{givenBy} needs an ipc:// address such as ipc:///run/apart/apart.sock, not '{address}'";
    }
}
