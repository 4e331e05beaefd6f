using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary>Settings of the commands whose result a script may want as JSON.</summary>
internal abstract class JsonOutputSettings : CoreSettings
{
    /// <summary>Print the result as JSON on standard output (progress goes to standard error).</summary>
    [CommandOption("--json")]
    [Description("Print the result as JSON on standard output, for scripts (progress, if any, goes to standard error)")]
    public bool Json { get; init; }
}
