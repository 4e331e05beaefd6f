using Spectre.Console.Cli;

namespace Apart.Cli.Tests.Fakes;

/// <summary>Reads a command line into the real settings type behind a stand-in command that only keeps what was parsed.</summary>
internal static class SettingsParser
{
    public static (int ExitCode, T? Settings) Parse<T>(string command, params string[] args)
        where T : CommandSettings
    {
        T? parsed = null;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.Settings.StrictParsing = true;
            config.PropagateExceptions();
            config.AddDelegate<T>(command, (_, settings, _) =>
            {
                parsed = settings;
                return 0;
            });
        });
        return (app.Run([command, .. args]), parsed);
    }
}
