using Apart.Protocol.Schema;
using Apart.Testing;

namespace Apart.Protocol.Tests;

/// <summary>
/// Nothing outside src/Apart.Protocol spells a message type or a field name: the host, the CLI
/// and the plugins name them through the protocol's records and <see cref="MessageTypes"/>, so
/// adding or renaming one is a change in one place.
/// </summary>
public sealed class WireNamesTests
{
    // Literals equal to a wire name that mean something else where they stand, each reviewed.
    private static readonly HashSet<(string File, string Literal)> OtherMeanings =
    [
        // lsblk's own JSON keys, which happen to be named like ours.
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "name"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "type"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "size"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "fstype"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "label"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "uuid"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "start"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "path"),
        ("plugins/Inventory.Lsblk/LsblkJsonParser.cs", "mountpoint"),
        ("plugins/Inventory.Lsblk/SourceListBuilder.cs", "part"), // lsblk's TYPE of a partition

        // sfdisk's dump and JSON keys: a table's label (gpt, dos) and a partition's start, size and type.
        ("plugins/Inventory.Lsblk/SfdiskTableReader.cs", "label"),
        ("plugins/Inventory.Lsblk/SfdiskTableReader.cs", "start"),
        ("plugins/Inventory.Lsblk/SfdiskTableReader.cs", "size"),
        ("plugins/Inventory.Lsblk/SfdiskTableReader.cs", "type"),
        ("plugins/Imaging.Clonezilla/PartitionScript.cs", "label"),
        ("plugins/Imaging.Clonezilla/PartitionScript.cs", "start"),
        ("plugins/Imaging.Clonezilla/PartitionScript.cs", "size"),
        ("plugins/Imaging.Clonezilla/PartitionScript.cs", "type"),

        // Clonezilla's file names: its list of imaged partitions, and a regex group.
        ("plugins/Imaging.Clonezilla/ClonezillaNames.cs", "parts"),
        ("plugins/Imaging.Clonezilla/ClonezillaNames.cs", "part"),

        // partclone's tools that share its prefix without imaging a filesystem.
        ("plugins/Imaging.Partclone/FilesystemVariants.cs", "restore"),
        ("plugins/Imaging.Partclone/FilesystemVariants.cs", "fstype"),

        // Words a failing program's output is searched for.
        ("src/Apart.Host/Jobs/FailureExplainer.cs", "error"),
        ("src/Apart.Host/Jobs/FailureExplainer.cs", "mounted"),

        // Words for people: a directory entry's kind in the demo, a device's state in a question.
        ("src/Apart.Cli/Demo/FileTree.cs", "file"),
        ("src/Apart.Cli/Commands/RestoreCommand.cs", "mounted"),
    ];

    public static TheoryData<string> Sources() =>
    [
        .. new[] { "src", "plugins" }
            .SelectMany(Repository.SourceFiles)
            .Select(Repository.Relative)
            .Where(path => !path.StartsWith("src/Apart.Protocol/", StringComparison.Ordinal)),
    ];

    [Theory]
    [MemberData(nameof(Sources))]
    public void No_source_outside_the_protocol_spells_a_wire_name(string file)
    {
        var names = WireNames();
        var spelled = CSharpLiterals.In(File.ReadAllText(Path.Join(Repository.Root, file)))
            .Where(literal => names.Contains(literal.Text) && !OtherMeanings.Contains((file, literal.Text)))
            .Select(literal => $"{file}:{literal.Line}: \"{literal.Text}\"")
            .ToList();

        Assert.True(spelled.Count == 0, "wire names spelled outside src/Apart.Protocol:\n" + string.Join("\n", spelled));
    }

    [Fact]
    public void The_exceptions_are_still_there_to_be_excepted()
    {
        var stale = OtherMeanings
            .Where(entry => !CSharpLiterals.In(File.ReadAllText(Path.Join(Repository.Root, entry.File))).Any(literal => literal.Text == entry.Literal))
            .ToList();

        Assert.Empty(stale);
    }

    [Fact]
    public void The_scan_finds_a_wire_name_spelled_in_a_string()
    {
        const string Source = """
            // a comment naming "clone-failed" is not code
            var type = "clone-failed";
            var keyed = $"{x} image_size";
            """;

        Assert.Equal(["clone-failed", "{x} image_size"], CSharpLiterals.In(Source).Select(literal => literal.Text));
        Assert.Contains("clone-failed", WireNames());
        Assert.Contains("image_size", WireNames());
    }

    // Every message type and every field name, nested ones included.
    private static HashSet<string> WireNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { MessageTypes.TypeKey };
        foreach (var message in ProtocolCodec.Schema)
        {
            names.Add(message.Type);
            AddFields(message.Fields);
            foreach (var word in message.Fields.SelectMany(field => field.Words))
            {
                names.Add(word);
            }
        }

        return names;

        void AddFields(IEnumerable<FieldSchema> fields)
        {
            foreach (var field in fields)
            {
                names.Add(field.Name);
                AddFields(field.Items);
            }
        }
    }
}
