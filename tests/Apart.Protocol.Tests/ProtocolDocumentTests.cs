using System.Text;
using Apart.Protocol.Schema;
using Apart.Testing;

namespace Apart.Protocol.Tests;

/// <summary>docs/PROTOCOL.md, the normative protocol, says what the schema does: §9 is the schema, word for word.</summary>
public sealed class ProtocolDocumentTests
{
    private const string IndexHeading = "## 9. Every message (the schema)";

    [Fact]
    public void Section_9_lists_every_message_and_field_of_the_schema()
    {
        var document = File.ReadAllText(Path.Join(Repository.Root, "docs", "PROTOCOL.md")).ReplaceLineEndings("\n");
        var start = document.IndexOf(IndexHeading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/PROTOCOL.md has no '{IndexHeading}'");
        var section = document[start..];
        var next = section.IndexOf("\n## ", IndexHeading.Length, StringComparison.Ordinal);
        section = next < 0 ? section : section[..next];
        var index = section[(section.IndexOf("\n| ", StringComparison.Ordinal) + 1)..].TrimEnd() + "\n";

        Assert.True(Render() == index, "docs/PROTOCOL.md §9 differs from the schema; it should read:\n\n" + Render());
    }

    /// <summary>The schema as a table, one row per message: what §9 must hold.</summary>
    internal static string Render()
    {
        var text = new StringBuilder("| Direction | type | fields |\n|---|---|---|\n");
        foreach (var message in ProtocolCodec.Schema)
        {
            var direction = message.Direction == Direction.Request ? "presenter → core" : "core → presenter";
            var fields = message.Fields.Count == 0 ? "—" : string.Join(", ", message.Fields.Select(Field));
            text.Append($"| {direction} | `{message.Type}` | {fields} |\n");
        }

        return text.ToString();
    }

    private static string Field(FieldSchema field)
    {
        var kind = field.Kind switch
        {
            FieldKind.Text => "text",
            FieldKind.Number => "integer",
            FieldKind.Boolean => "boolean",
            FieldKind.Fraction => "fraction",
            FieldKind.Time => "time",
            FieldKind.Choice => "choice of " + string.Join("/", field.Words),
            FieldKind.TextList => "list of text",
            FieldKind.List => "list of {" + string.Join(", ", field.Items.Select(Field)) + "}",
            FieldKind.ProgressList => "progress list",
            _ => field.Kind.ToString(),
        };
        return $"`{field.Name}` {kind}{(field.Optional ? " (optional)" : "")}";
    }
}
