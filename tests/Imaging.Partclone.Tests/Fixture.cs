namespace Apart.Imaging.Partclone.Tests;

/// <summary>Files captured from real partclone 0.3.23, copied beside the test assembly.</summary>
internal static class Fixture
{
    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    private static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
