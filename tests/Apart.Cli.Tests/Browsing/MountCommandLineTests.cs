using Apart.Cli.Commands;
using Apart.Cli.Tests.Fakes;
using Apart.Protocol;
using Spectre.Console.Cli;

namespace Apart.Cli.Tests.Browsing;

/// <summary>How <c>apart mount</c>, <c>unmount</c>, <c>ls</c> and <c>cp</c> read their command lines, and the requests they make.</summary>
public sealed class MountCommandLineTests
{
    [Fact]
    public void Mount_takes_an_image_an_optional_directory_a_part_and_json()
    {
        var (exit, plain) = SettingsParser.Parse<MountSettings>("mount", "/b/w-2024-05-03T1020.apt.ext4.gz");
        var (_, full) = SettingsParser.Parse<MountSettings>("mount", "/b/laptop-img/", "/home/me/old/", "--part", "sda2", "--json");
        var (_, short_) = SettingsParser.Parse<MountSettings>("mount", "/b/laptop-img", "-p", "sda1");

        Assert.Equal(0, exit);
        Assert.Equal(new MountImageRequest("/b/w-2024-05-03T1020.apt.ext4.gz"), plain!.Request(plain.Directory));
        Assert.Equal(new MountImageRequest("/b/laptop-img", "sda2", "/home/me/old"), full!.Request(full.Directory));
        Assert.True(full.Json);
        Assert.Equal("sda1", short_!.Part);
    }

    [Fact]
    public void Relative_paths_are_made_absolute_for_the_core()
    {
        var (_, settings) = SettingsParser.Parse<MountSettings>("mount", "backups/w.apt.ext4.gz", "here");

        Assert.Equal(
            new MountImageRequest(Path.Join(Environment.CurrentDirectory, "backups/w.apt.ext4.gz"), null, Path.Join(Environment.CurrentDirectory, "here")),
            settings!.Request(settings.Directory));
    }

    [Fact]
    public void Unmount_ls_and_cp_take_what_they_name()
    {
        var (_, unmount) = SettingsParser.Parse<UnmountSettings>("unmount", "/home/me/old");
        var (_, root) = SettingsParser.Parse<LsSettings>("ls", "/b/w.apt.ext4.gz");
        var (_, ls) = SettingsParser.Parse<LsSettings>("ls", "/b/laptop-img", "/etc", "--part", "sda2", "--json");
        var (_, cp) = SettingsParser.Parse<CpSettings>("cp", "/b/w.apt.ext4.gz", "/home/me/thesis.odt", ".");

        Assert.Equal("/home/me/old", unmount!.Mount);
        Assert.Equal("/", root!.Path);
        Assert.Equal(("/etc", "sda2", true), (ls!.Path, ls.Part, ls.Json));
        Assert.Equal(("/home/me/thesis.odt", "."), (cp!.Path, cp.Destination));
    }

    [Fact]
    public void Cp_needs_an_image_a_path_and_a_destination()
    {
        Assert.ThrowsAny<Exception>(() => SettingsParser.Parse<CpSettings>("cp", "/b/w.apt.ext4.gz", "/etc/passwd"));
        Assert.ThrowsAny<Exception>(() => SettingsParser.Parse<UnmountSettings>("unmount"));
    }

    [Fact]
    public void The_commands_are_in_the_apps_help()
    {
        var app = new CommandApp();
        app.Configure(CliApp.Configure);
        using var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        app.Configure(config => config.ConfigureConsole(console));

        app.Run(["--help"]);

        foreach (var command in new[] { CommandNames.Mount, CommandNames.Unmount, CommandNames.Ls, CommandNames.Cp })
        {
            Assert.Contains($"    {command} ", output.ToString(), StringComparison.Ordinal);
        }
    }
}
