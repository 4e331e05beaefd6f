using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Plugins.Tests;

public sealed class PluginFolderLoaderTests : IDisposable
{
    private readonly string _plugins = Directory.CreateTempSubdirectory("apart-plugins-").FullName;

    public void Dispose() => Directory.Delete(_plugins, recursive: true);

    [Fact]
    public void A_third_party_codec_is_one_more_folder()
    {
        Install("Sample.Codec");
        var services = new ServiceCollection();

        var report = PluginFolderLoader.LoadAll(_plugins, services);

        Assert.Equal(["Sample.Codec"], report.Loaded);
        var codec = Assert.Single(services.BuildServiceProvider().GetServices<ICompressor>());
        Assert.Equal("xz", codec.Name);
        Assert.Equal("xz --version", codec.Probe?.ToString());
        Assert.IsAssignableFrom<ICompressor>(codec); // the host's own contract type: shared, not loaded twice
        Assert.Same(typeof(ICompressor).Assembly, codec.GetType().GetInterfaces().Single(type => type.Name == nameof(ICompressor)).Assembly);
    }

    [Fact]
    public void A_plugin_that_ships_its_own_copy_of_the_contracts_still_gets_the_hosts()
    {
        // A plugin published carelessly: its deps.json lists Apart.Abstractions.dll, and the copy
        // is in its folder. Loaded from there, its ICompressor would be another type than the host's.
        Install("Sample.Codec");
        var folder = Path.Join(_plugins, "Sample.Codec");
        File.Copy(typeof(ICompressor).Assembly.Location, Path.Join(folder, "Apart.Abstractions.dll"));
        var deps = Path.Join(folder, "Sample.Codec.deps.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(deps))!;
        var version = typeof(ICompressor).Assembly.GetName().Version!.ToString(3);
        json["targets"]![".NETCoreApp,Version=v10.0"]![$"Apart.Abstractions/{version}"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "runtime": { "Apart.Abstractions.dll": {} } }""");
        json["libraries"]![$"Apart.Abstractions/{version}"] = System.Text.Json.Nodes.JsonNode.Parse("""{ "type": "project", "serviceable": false, "sha512": "" }""");
        File.WriteAllText(deps, json.ToJsonString());
        var services = new ServiceCollection();

        var report = PluginFolderLoader.LoadAll(_plugins, services);

        Assert.Equal(["Sample.Codec"], report.Loaded);
        var codec = Assert.Single(services.BuildServiceProvider().GetServices<ICompressor>());
        Assert.Same(typeof(ICompressor).Assembly, codec.GetType().GetInterfaces().Single(type => type.Name == nameof(ICompressor)).Assembly);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), assembly => assembly.GetName().Name == "Apart.Abstractions" && assembly != typeof(ICompressor).Assembly);
    }

    [Fact]
    public void A_third_party_imager_is_one_more_folder()
    {
        Install("Sample.Imager");
        var services = new ServiceCollection();

        PluginFolderLoader.LoadAll(_plugins, services);

        var imager = services.BuildServiceProvider().GetRequiredService<IImager>();
        Assert.Equal("Sample.Imager.DdImager", imager.GetType().FullName);
        Assert.Equal("bytes", imager.FormatFor("ext4"));
    }

    [Fact]
    public void A_broken_plugin_is_skipped_and_leaves_nothing_registered()
    {
        Install("Broken.Plugin");
        Install("Sample.Codec");
        var services = new ServiceCollection();

        var report = PluginFolderLoader.LoadAll(_plugins, services);

        Assert.Equal(["Sample.Codec"], report.Loaded);
        var (folder, error) = Assert.Single(report.Failed);
        Assert.Equal("Broken.Plugin", folder);
        Assert.Contains("broken on purpose", error.Message, StringComparison.Ordinal);
        Assert.Equal(["xz"], services.BuildServiceProvider().GetServices<ICompressor>().Select(codec => codec.Name));
    }

    [Fact]
    public void A_folder_without_its_assembly_is_reported_not_fatal()
    {
        Directory.CreateDirectory(Path.Join(_plugins, "Empty.Folder"));
        File.WriteAllText(Path.Join(_plugins, "Empty.Folder", "readme.txt"), "no dll");
        Install("Sample.Codec");

        var report = PluginFolderLoader.LoadAll(_plugins, new ServiceCollection());

        Assert.Equal(["Sample.Codec"], report.Loaded);
        Assert.Equal("Empty.Folder", Assert.Single(report.Failed).Folder);
    }

    [Fact]
    public void A_missing_plugins_folder_loads_nothing() =>
        Assert.Empty(PluginFolderLoader.LoadAll(Path.Join(_plugins, "none"), new ServiceCollection()).Loaded);

    // Copies a test plugin's build output to plugins/<Name>/, as the published layout has it.
    private void Install(string name)
    {
        var testOutput = AppContext.BaseDirectory; // tests/Apart.Host.Tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(testOutput).Parent!.Name;
        var built = Path.GetFullPath(Path.Join(testOutput, "../../../../TestPlugins", name, "bin", configuration, "net10.0"));
        var target = Path.Join(_plugins, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(built))
        {
            File.Copy(file, Path.Join(target, Path.GetFileName(file)));
        }
    }
}
