namespace Apart.Imaging.Clonezilla.Tests;

/// <summary>Image directories Clonezilla saved, copied beside the test assembly.</summary>
internal static class Fixture
{
    public static string Directory(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A copy of a fixture directory (or an empty one) that a test may change; deleted with the returned scope.</summary>
    public static TemporaryDirectory Copy(string? name = null)
    {
        var copy = System.IO.Directory.CreateTempSubdirectory("apart-cz-").FullName;
        if (name is not null)
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory(name)))
            {
                File.Copy(file, Path.Join(copy, Path.GetFileName(file)));
            }
        }

        return new TemporaryDirectory(copy);
    }
}

internal sealed class TemporaryDirectory(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
}
