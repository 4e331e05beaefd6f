using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary>What <c>apart clone</c> and <c>apart clone-disk</c> share: <c>[--name NAME] [--compression CODEC] [--json]</c>.</summary>
internal abstract class CloneOptionsSettings : JsonOutputSettings
{
    /// <summary>The image's name; by default the device's.</summary>
    [CommandOption("-n|--name <NAME>")]
    [Description("The image's name, the start of its file's (NAME-YYYY-MM-DDTHHMM.apt.FSTYPE.CODEC) or directory's (NAME-YYYY-MM-DDTHHMM-img) name (default: the device's name)")]
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
