namespace Apart.Cli.Session;

/// <summary>Where the <c>apart-core</c> executable is: beside <c>apart</c>, unless <c>APART_CORE</c> says otherwise.</summary>
internal static class CoreLocator
{
    /// <summary>The environment variable that names another apart-core to run.</summary>
    public const string EnvironmentVariable = "APART_CORE";

    /// <summary>The executable's file name.</summary>
    public const string FileName = "apart-core";

    /// <summary>The path of apart-core to run.</summary>
    /// <param name="overridePath">The value of <c>APART_CORE</c>, if set.</param>
    /// <param name="baseDirectory">The folder <c>apart</c> runs from.</param>
    public static string Locate(string? overridePath, string baseDirectory) =>
        string.IsNullOrEmpty(overridePath)
            ? Path.Combine(baseDirectory, FileName)
            : Path.GetFullPath(overridePath);

    /// <summary>The path for this process: <c>APART_CORE</c> or <c>AppContext.BaseDirectory</c>.</summary>
    public static string Locate() =>
        Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory);
}
