namespace Apart.Testing;

/// <summary>The repository the tests run in: its root and its source files.</summary>
public static class Repository
{
    /// <summary>The folder holding Apart.Host.sln, found upwards from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The C# files under <paramref name="folder"/> (relative to the root), build output left out.</summary>
    public static IReadOnlyList<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Join(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A path relative to the root, for messages.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "Apart.Host.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Apart.Host.sln above {AppContext.BaseDirectory}");
    }
}
