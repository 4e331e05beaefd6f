using Spectre.Console;
using Apart.Protocol;

namespace Apart.Cli.Output;

/// <summary>
/// <c>apart list</c> for people: one row per part, grouped under its source device with its
/// partition table (<c>gpt table</c>); a blank device shows as <c>blank</c>.
/// </summary>
internal static class SourceTable
{
    /// <summary>The table of <paramref name="sources"/>.</summary>
    public static Table Build(IReadOnlyList<ListedSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var table = new Table()
            .Border(TableBorder.Simple)
            .AddColumn("DEVICE")
            .AddColumn(new TableColumn("SIZE").RightAligned())
            .AddColumn("FSTYPE")
            .AddColumn("LABEL")
            .AddColumn("MOUNTED")
            .AddColumn("UUID");
        foreach (var source in sources)
        {
            var single = source.Parts is [var only] && only.Name == source.Name;
            if (!single)
            {
                table.AddRow(
                    new Markup($"[bold]{Markup.Escape("/dev/" + source.Name)}[/]"),
                    new Text(Bytes.Human(source.Size)),
                    new Text(source.Table is { } partitionTable ? $"{partitionTable} table" : "-"),
                    Text.Empty,
                    Text.Empty,
                    Text.Empty);
            }

            foreach (var part in source.Parts)
            {
                var name = (single ? "" : "  ") + part.DevicePath;
                table.AddRow(
                    new Text(name, single ? new Style(decoration: Decoration.Bold) : Style.Plain),
                    new Text(Bytes.Human(part.Size)),
                    new Text(part.FsType ?? (part.Name == source.Name ? "blank" : "-")),
                    new Text(part.Label ?? "-"),
                    new Text(part.Mounted ? "yes" : "no"),
                    new Text(part.Uuid ?? "-"));
            }
        }

        return table;
    }
}
