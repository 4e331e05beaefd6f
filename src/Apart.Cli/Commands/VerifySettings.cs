using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart verify IMAGE [--json]</c>.</summary>
internal sealed class VerifySettings : JsonOutputSettings
{
    /// <summary>The image file to check.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("An image made by 'apart clone', an image directory made by 'apart clone-disk' or Clonezilla, or the first piece of a Clonezilla partition image")]
    public string Image { get; init; } = "";
}
