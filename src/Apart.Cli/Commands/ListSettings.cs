namespace Apart.Cli.Commands;

/// <summary><c>apart list [--json]</c>.</summary>
internal sealed class ListSettings : JsonOutputSettings;
