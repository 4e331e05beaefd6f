using System.ComponentModel;
using Apart.Cli.Session;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary>
/// Settings of the commands that talk to a core: by default one of their own, started for the
/// command; with <c>--connect</c> (or <c>APART_CONNECT</c>) the apart-core service at an address.
/// </summary>
internal abstract class CoreSettings : CommandSettings
{
    /// <summary>The address of a running apart-core service, or null for a core of our own.</summary>
    [CommandOption("--connect <ADDRESS>")]
    [Description("Drive the apart-core service listening at ADDRESS (ipc:///run/apart/apart.sock) instead of starting a core of its own (default: $APART_CONNECT). May also come before the command")]
    public string? Connect { get; init; }

    /// <inheritdoc/>
    public override ValidationResult Validate() =>
        Connect is not null && ServiceAddress.Problem(Connect) is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
}
