using Apart.Cli.Output;
using Apart.Cli.Session;
using Spectre.Console;

namespace Apart.Cli.Commands;

/// <summary><c>apart list</c>: the devices and parts the core can clone, and its compressions.</summary>
internal sealed class ListCommand : SessionCommand<ListSettings>
{
    /// <inheritdoc/>
    protected override Task<int> RunAsync(CoreSession session, ListSettings settings, CancellationToken interrupted)
    {
        var status = session.Started;
        if (settings.Json)
        {
            JsonResults.Write(Terminal.OutputWriter, JsonResults.List(status));
            return Task.FromResult(ExitCodes.Success);
        }

        var sources = status.Sources ?? [];
        if (sources.Count == 0)
        {
            Terminal.Output.WriteLine("No partitions or filesystems to clone were found.");
        }
        else
        {
            Terminal.Output.Write(SourceTable.Build(sources));
        }

        var options = status.CompressionOptions ?? [];
        Terminal.Output.WriteLine(options.Count == 0
            ? "Compressions: none available."
            : $"Compressions: {string.Join(", ", options)} (the default is gz)");
        return Task.FromResult(ExitCodes.Success);
    }
}
