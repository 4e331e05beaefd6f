using Apart.Cli.Demo;

namespace Apart.Cli.Tests.Demo;

/// <summary>The demo's parts that need no root: its sample files, the comparison and the summary.</summary>
public sealed class DemoTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("apart-cli-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    [Fact]
    public void The_samples_have_text_documents_random_data_a_link_and_private_modes()
    {
        var root = Folder("samples");
        SampleFiles.Write(root);

        var tree = FileTree.Read(root);

        Assert.Equal(new FileEntry("symlink", 0, 0, "README.txt"), tree.Entries["read-me-first"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, tree.Entries["README.txt"].Mode);
        Assert.Equal("directory", tree.Entries["private"].Kind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, tree.Entries["private"].Mode);
        Assert.Equal(4 << 20, tree.Entries["data/random.bin"].Size);
        Assert.Contains("data/Notes with spaces & ünïcode ✓.txt", tree.Entries.Keys);
        Assert.True(tree.Entries.Keys.Count(path => path.StartsWith("documents/", StringComparison.Ordinal)) > 1);
        Assert.InRange(tree.FileBytes, 6 << 20, (6 << 20) + SampleFiles.DocumentBudget + (1 << 20));
    }

    [Fact]
    public void Without_system_documentation_text_is_generated()
    {
        var root = Folder("bare");
        SampleFiles.Write(root, documentationFolder: Path.Combine(_root, "no-such-folder"));

        Assert.Equal(16, Directory.GetFiles(Path.Combine(root, "documents", "generated")).Length);
    }

    [Fact]
    public void Identical_trees_have_no_differences_and_any_change_shows()
    {
        var original = Folder("original");
        SampleFiles.Write(original);
        var copy = Folder("copy");
        CopyTree(original, copy);
        Assert.Empty(FileTree.Read(original).Differences(FileTree.Read(copy)));

        var bytes = File.ReadAllBytes(Path.Combine(copy, "data", "random.bin"));
        bytes[12345] ^= 1;
        File.WriteAllBytes(Path.Combine(copy, "data", "random.bin"), bytes);
        File.SetUnixFileMode(Path.Combine(copy, "README.txt"), UnixFileMode.UserRead);
        File.Delete(Path.Combine(copy, "data", "empty"));
        File.WriteAllText(Path.Combine(copy, "extra"), "x");

        var differences = FileTree.Read(original).Differences(FileTree.Read(copy));

        Assert.Equal(4, differences.Count);
        Assert.Contains(differences, d => d.StartsWith("data/random.bin: file", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("README.txt: file 640", StringComparison.Ordinal));
        Assert.Contains("data/empty: missing from the copy", differences);
        Assert.Contains("extra: only in the copy", differences);
    }

    [Fact]
    public void Lost_and_found_is_not_compared()
    {
        var root = Folder("fs");
        Directory.CreateDirectory(Path.Combine(root, "lost+found", "#12"));
        File.WriteAllText(Path.Combine(root, "a"), "a");

        Assert.Equal(["a"], FileTree.Read(root).Entries.Keys);
    }

    [Fact]
    public void The_summary_tells_ratio_and_speeds()
    {
        var summary = new DemoSummary(96L << 20, 15L << 20, 42, 50, "/tmp/x.gz", 5L << 20, "gz",
            TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.Zero);

        var lines = summary.Lines().ToDictionary(line => line.Label, line => line.Value);

        Assert.Equal("ext4, 96 MiB, 15 MiB in use", lines["Filesystem"]);
        Assert.Equal("/tmp/x.gz (5 MiB)", lines["Image"]);
        Assert.Equal("gz: 3.0:1 (data in use : image)", lines["Compression"]);
        Assert.Equal("2.0 s, 7.5 MiB/s", lines["Clone"]);
        Assert.Equal("0.0 s, n/a", lines["Restore"]);
        Assert.StartsWith("42 files (50 entries", lines["Files"], StringComparison.Ordinal);
        Assert.Equal("n/a", DemoSummary.Ratio(1, 0));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var info in new DirectoryInfo(from).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, info.FullName));
            if (info.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (info is DirectoryInfo)
            {
                Directory.CreateDirectory(target);
            }
            else
            {
                File.Copy(info.FullName, target);
            }

            if (info.LinkTarget is null)
            {
                File.SetUnixFileMode(target, info.UnixFileMode);
            }
        }
    }
}
