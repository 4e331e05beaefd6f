using System.Collections;
using Apart.Host.Core;

namespace Apart.Host.Tests.Core;

public sealed class CoreSettingsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("apart-settings-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void LaterFilesWinAndTheEnvironmentWinsOverAll()
    {
        var beside = Write("appsettings.json", """{ "SocketGroup": "disk", "Listen": "ipc:///tmp/a.sock", "StateDirectory": "/var/a" }""");
        var system = Write("apart.json", """{ "SocketGroup": "backup", /* a comment */ "AllowTcp": true, }""");
        var settings = CoreSettings.Load([beside, system, Path.Join(_root, "missing.json")], new Hashtable { ["APART_StateDirectory"] = "/var/b", ["HOME"] = "/root" });

        Assert.Equal("backup", settings["SocketGroup"]);
        Assert.Equal("ipc:///tmp/a.sock", settings["listen"]);
        Assert.Equal("/var/b", settings["StateDirectory"]);
        Assert.True(settings.Flag("AllowTcp"));
        Assert.False(settings.Flag("Nothing"));
        Assert.Null(settings["HOME"]);
    }

    [Fact]
    public void NestedKeysJoinWithColonsAndDoubleUnderscoresInTheEnvironment()
    {
        var file = Write("apart.json", """{ "Logging": { "LogLevel": { "Default": "Warning", "Apart.Host.Jobs": "Debug" } } }""");
        var settings = CoreSettings.Load([file], new Hashtable { ["APART_Logging__LogLevel__Default"] = "Error" });

        Assert.Equal(
            [new("Apart.Host.Jobs", "Debug"), new("Default", "Error")],
            settings.Section("Logging:LogLevel").OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void MissingFilesAreSkippedWithoutAnExceptionThrown()
    {
        // Every core start reads two files that usually do not exist; a first exception costs ~10 ms.
        var thread = Environment.CurrentManagedThreadId;
        var thrown = new List<Exception>();
        void Record(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                thrown.Add(e.Exception);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            var settings = CoreSettings.Load([Path.Join(_root, "missing.json"), Path.Join(_root, "no", "such", "dir.json")], new Hashtable());
            Assert.Null(settings["Listen"]);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        Assert.Empty(thrown);
    }

    [Fact]
    public void ABrokenFileIsNamed()
    {
        var file = Write("apart.json", """{ "SocketGroup": """);
        var error = Assert.Throws<FormatException>(() => CoreSettings.Load([file], new Hashtable()));
        Assert.StartsWith(file + " is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => CoreSettings.Load([Write("list.json", "[1]")], new Hashtable()));
    }

    [Fact]
    public void AFlagThatIsNeitherTrueNorFalseIsRefused()
    {
        var settings = CoreSettings.Load([], new Hashtable { ["APART_AllowTcp"] = "yes" });
        Assert.Contains("AllowTcp must be true or false", Assert.Throws<FormatException>(() => settings.Flag("AllowTcp")).Message, StringComparison.Ordinal);
    }

    private string Write(string name, string json)
    {
        var path = Path.Join(_root, name);
        File.WriteAllText(path, json);
        return path;
    }
}
