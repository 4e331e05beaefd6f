namespace Apart.Inventory.Lsblk.Tests;

/// <summary>The recorded and constructed outputs in Fixtures/ (see its README).</summary>
internal static class Fixture
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));
}
