using Apart.Testing;

namespace Apart.Host.Tests;

/// <summary>
/// The host names no plugin and no program a plugin runs: what is partclone's lives in its plugin,
/// codec names in the protocol, folder names only in the loader (src/Apart.Plugins).
/// </summary>
public sealed class HostKnowsNoPluginTests
{
    // The programs the shipped plugins run, and their codecs' file names.
    private static readonly string[] PluginPrograms = ["partclone", "pigz", "gzip", "zstd", "lz4", "lsblk", "blkid", "chkimg", "clonezilla", "sfdisk", "sgdisk", "parted", "b2sum", "mkswap", "resize2fs", "xfs_growfs"];

    public static TheoryData<string> HostSources() => [.. Repository.SourceFiles("src/Apart.Host").Select(Repository.Relative)];

    [Theory]
    [MemberData(nameof(HostSources))]
    public void No_literal_in_the_host_names_a_plugin_folder_or_a_plugins_program(string file)
    {
        var forbidden = PluginFolders().Concat(PluginPrograms).ToList();
        var named = CSharpLiterals.In(File.ReadAllText(Path.Join(Repository.Root, file)))
            .SelectMany(literal => forbidden
                .Where(name => literal.Text.Contains(name, StringComparison.OrdinalIgnoreCase))
                .Select(name => $"{file}:{literal.Line}: \"{literal.Text}\" names {name}"))
            .ToList();

        Assert.True(named.Count == 0, string.Join("\n", named));
    }

    [Fact]
    public void The_plugin_folders_are_found_to_check_against() =>
        Assert.Contains("Imaging.Partclone", PluginFolders());

    private static IEnumerable<string> PluginFolders() =>
        Directory.EnumerateDirectories(Path.Join(Repository.Root, "plugins")).Select(Path.GetFileName).OfType<string>();
}
