using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart delete IMAGE</c>.</summary>
internal sealed class DeleteSettings : CoreSettings
{
    /// <summary>The image file to delete.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("An image made by 'apart clone' (only files named like one are deleted)")]
    public string Image { get; init; } = "";
}
