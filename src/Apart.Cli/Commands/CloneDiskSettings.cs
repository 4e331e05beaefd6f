using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary><c>apart clone-disk SOURCE DIR [--name NAME] [--compression CODEC] [--json]</c>.</summary>
internal sealed class CloneDiskSettings : JsonOutputSettings
{
    /// <summary>The disk to clone.</summary>
    [CommandArgument(0, "<SOURCE>")]
    [Description("The disk to clone whole: /dev/sda, or its name as 'apart list' shows it (sda)")]
    public string Source { get; init; } = "";

    /// <summary>The existing directory the image directory is made in.</summary>
    [CommandArgument(1, "<DIR>")]
    [Description("An existing directory to make the image directory in")]
    public string Directory { get; init; } = "";

    /// <summary>The image's name; by default the disk's.</summary>
    [CommandOption("-n|--name <NAME>")]
    [Description("The image's name, the start of its directory's name NAME-YYYY-MM-DDTHHMM-img (default: the disk's name)")]
    public string? Name { get; init; }

    /// <summary>The codec; null means the core's default, gz.</summary>
    [CommandOption("-c|--compression <CODEC>")]
    [Description("gz (the default), zst, lz4 or uncompressed; 'apart list' shows those installed")]
    public string? Compression { get; init; }

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        if (base.Validate() is { Successful: false } problem)
        {
            return problem;
        }

        if (Name is not null && (Name.Length == 0 || Name.Contains('/', StringComparison.Ordinal)))
        {
            return ValidationResult.Error("--name must be a non-empty file name without '/'.");
        }

        return Compression is { Length: 0 } ? ValidationResult.Error("--compression needs a codec name.") : ValidationResult.Success();
    }
}
