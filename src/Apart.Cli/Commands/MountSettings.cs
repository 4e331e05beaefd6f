using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart mount IMAGE [DIR] [--part NAME] [--json]</c>.</summary>
internal sealed class MountSettings : ImageSourceSettings
{
    /// <summary>Where to mount it, or null for a directory the core makes.</summary>
    [CommandArgument(1, "[DIR]")]
    [Description("An existing empty directory to mount it on (default: one the core makes and removes)")]
    public string? Directory { get; init; }
}

/// <summary><c>apart unmount PATH|ID</c>.</summary>
internal sealed class UnmountSettings : CoreSettings
{
    /// <summary>The mount, by where its files are or by its id.</summary>
    [CommandArgument(0, "<PATH|ID>")]
    [Description("Where 'apart mount' mounted the image (the path it printed), or the mount's id")]
    public string Mount { get; init; } = "";
}

/// <summary><c>apart ls IMAGE [PATH] [--part NAME] [--json]</c>.</summary>
internal sealed class LsSettings : ImageSourceSettings
{
    /// <summary>The directory (or file) inside the image.</summary>
    [CommandArgument(1, "[PATH]")]
    [Description("A directory or file inside the image (default: its root)")]
    public string Path { get; init; } = "/";
}

/// <summary><c>apart cp IMAGE PATH DEST [--part NAME]</c>.</summary>
internal sealed class CpSettings : ImageSourceSettings
{
    /// <summary>The file or directory inside the image.</summary>
    [CommandArgument(1, "<PATH>")]
    [Description("The file or directory inside the image to copy out")]
    public string Path { get; init; } = "";

    /// <summary>Where the copy goes.</summary>
    [CommandArgument(2, "<DEST>")]
    [Description("Where the copy goes: a new name, or an existing directory to copy into (nothing that exists is overwritten)")]
    public string Destination { get; init; } = "";
}
