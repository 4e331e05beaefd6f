namespace Apart.Abstractions;

/// <summary>
/// An environment variable a plugin reads, as <c>apart-core --help</c> lists it. A plugin that
/// reads one registers this beside its services, so the host's help never names a plugin's
/// settings itself and a packager who drops the plugin drops its line too.
/// </summary>
/// <param name="Name">The variable, e.g. <c>APART_LSBLK_CMD</c>.</param>
/// <param name="Value">What its value is, in one word: <c>PATH</c>, <c>PREFIX</c>.</param>
/// <param name="Description">What it does, in a sentence or two.</param>
public sealed record EnvironmentVariableHelp(string Name, string Value, string Description);
