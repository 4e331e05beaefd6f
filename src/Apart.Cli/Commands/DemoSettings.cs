using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart demo [--compression CODEC]</c>.</summary>
internal sealed class DemoSettings : CommandSettings
{
    /// <summary>The compression the demo's clone uses.</summary>
    [CommandOption("-c|--compression <CODEC>")]
    [Description("The compression of the demo's image (default: gz)")]
    [DefaultValue("gz")]
    public string Compression { get; init; } = "gz";
}
