using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart clone-disk SOURCE DIR [--name NAME] [--compression CODEC] [--json]</c>.</summary>
internal sealed class CloneDiskSettings : CloneOptionsSettings
{
    /// <summary>The disk to clone.</summary>
    [CommandArgument(0, "<SOURCE>")]
    [Description("The disk to clone whole: /dev/sda, or its name as 'apart list' shows it (sda)")]
    public string Source { get; init; } = "";

    /// <summary>The existing directory the image directory is made in.</summary>
    [CommandArgument(1, "<DIR>")]
    [Description("An existing directory to make the image directory in")]
    public string Directory { get; init; } = "";
}
