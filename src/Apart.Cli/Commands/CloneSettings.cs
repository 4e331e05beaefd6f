using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart clone SOURCE DIR [--name NAME] [--compression CODEC] [--json]</c>.</summary>
internal sealed class CloneSettings : CloneOptionsSettings
{
    /// <summary>The partition to clone.</summary>
    [CommandArgument(0, "<SOURCE>")]
    [Description("The partition to clone: /dev/sda1, or its name as 'apart list' shows it (sda1)")]
    public string Source { get; init; } = "";

    /// <summary>The existing directory the image is written to.</summary>
    [CommandArgument(1, "<DIR>")]
    [Description("An existing directory to write the image to")]
    public string Directory { get; init; } = "";
}
