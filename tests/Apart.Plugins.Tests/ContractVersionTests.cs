using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Plugins.Tests;

public sealed class ContractVersionTests : IDisposable
{
    private readonly string _plugins = Directory.CreateTempSubdirectory("apart-contracts-").FullName;

    public void Dispose() => Directory.Delete(_plugins, recursive: true);

    [Theory]
    [InlineData("1.0.0", "1.0", true)]
    [InlineData("1.2.0", "1.0", true)] // a newer host of the same major version loads older plugins
    [InlineData("1.2.3", "1.2", true)]
    [InlineData("1.2.0", "1.3", false)] // built against contracts this host does not have yet
    [InlineData("1.0.0", "2.0", false)] // another major version: the contracts changed
    [InlineData("2.0.0", "1.0", false)]
    [InlineData("2.1.0", "1.9", false)]
    [InlineData("1.0.0", "0.9", false)]
    public void A_host_loads_plugins_of_its_major_version_up_to_its_minor_version(string host, string builtAgainst, bool loads) =>
        Assert.Equal(loads, ContractVersion.Loads(Version.Parse(host), Version.Parse(builtAgainst)));

    [Theory]
    [InlineData("1.0.0", "1.0")]
    [InlineData("1.0.7", "1.0")]
    [InlineData("1.3.0", "1.0 to 1.3")]
    [InlineData("2.1.0", "2.0 to 2.1")]
    public void The_accepted_range_is_told_as_major_minor(string host, string accepted) =>
        Assert.Equal(accepted, ContractVersion.Accepted(Version.Parse(host)));

    [Fact]
    public void A_refusal_names_both_versions_and_what_the_host_loads() =>
        Assert.Equal(
            "built against Apart.Abstractions 2.0, this host offers 1.1.0 (it loads plugins built against 1.0 to 1.1)",
            ContractVersion.Refusal(new Version(1, 1, 0), new Version(2, 0, 0, 0)));

    [Fact]
    public void The_contracts_assembly_version_is_the_package_versions_major_and_minor()
    {
        // What a plugin's reference records and what .NET binds by: a plugin built against 1.0
        // binds to a 1.2 host's copy, and a patch release changes nothing a plugin records.
        var host = ContractVersion.Host;
        Assert.Equal(new Version(host.Major, host.Minor, 0, 0), typeof(IApartPlugin).Assembly.GetName().Version);
        Assert.True(host.Build >= 0, $"the host's contract version {host} is not MAJOR.MINOR.PATCH");
    }

    [Fact]
    public void A_plugins_contract_version_is_read_from_its_metadata()
    {
        var sampleCodec = Path.Join(TestPluginBuild("Sample.Codec"), "Sample.Codec.dll");
        var context = new AssemblyLoadContext("sample", isCollectible: true);

        var version = ContractVersion.ReferencedBy(context.LoadFromAssemblyPath(sampleCodec));
        context.Unload();

        Assert.Equal(typeof(IApartPlugin).Assembly.GetName().Version, version);
    }

    [Fact]
    public void An_assembly_that_references_no_contracts_has_no_contract_version() =>
        Assert.Null(ContractVersion.ReferencedBy(typeof(object).Assembly));

    [Fact]
    public void A_plugin_built_against_another_major_version_is_skipped_with_both_versions_and_the_others_load()
    {
        var host = ContractVersion.Host;
        var future = new Version(host.Major + 1, 0, 0, 0);
        WritePluginReferencing("Future.Codec", future);
        InstallTestPlugin("Sample.Codec");
        var services = new ServiceCollection();

        var report = PluginFolderLoader.LoadAll(_plugins, services);

        Assert.Equal(["Sample.Codec"], report.Loaded);
        var (folder, error) = Assert.Single(report.Failed);
        Assert.Equal("Future.Codec", folder);
        Assert.IsType<IncompatiblePluginException>(error);
        Assert.Equal(
            $"built against Apart.Abstractions {future.Major}.0, this host offers {host.ToString(3)} (it loads plugins built against {ContractVersion.Accepted(host)})",
            error.Message);
        Assert.Equal(["xz"], services.BuildServiceProvider().GetServices<ICompressor>().Select(codec => codec.Name));
    }

    [Fact]
    public void A_plugin_built_against_a_newer_minor_version_is_skipped_and_nothing_resolves_to_it()
    {
        var host = ContractVersion.Host;
        WritePluginReferencing("Newer.Codec", new Version(host.Major, host.Minor + 1, 0, 0));

        var report = PluginFolderLoader.LoadAll(_plugins, new ServiceCollection());

        Assert.Empty(report.Loaded);
        var error = Assert.IsType<IncompatiblePluginException>(Assert.Single(report.Failed).Error);
        Assert.Contains($"built against Apart.Abstractions {host.Major}.{host.Minor + 1}, this host offers {host.ToString(3)}", error.Message, StringComparison.Ordinal);
        // Its metadata was read in its own load context; nothing of the host's can reach it.
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, assembly => assembly.GetName().Name == "Newer.Codec");
        Assert.All(AppDomain.CurrentDomain.GetAssemblies().Where(assembly => assembly.GetName().Name == "Newer.Codec"),
            assembly => Assert.Equal("Newer.Codec", AssemblyLoadContext.GetLoadContext(assembly)?.Name));
    }

    [Fact]
    public void The_templates_default_contract_version_is_one_this_host_loads()
    {
        var template = Path.Join(RepoRoot(), "templates", "apart-codec", ".template.config", "template.json");
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(template));
        var sdkVersion = json.RootElement.GetProperty("symbols").GetProperty("sdkVersion").GetProperty("defaultValue").GetString()!;

        Assert.True(ContractVersion.Loads(ContractVersion.Host, Version.Parse(sdkVersion)), $"the template builds against {sdkVersion}; this host offers {ContractVersion.Host}");
    }

    // A minimal assembly, NAME.dll in plugins/NAME/, that references Apart.Abstractions at the
    // given version: what a plugin built against that version records.
    private void WritePluginReferencing(string name, Version contracts)
    {
        var metadata = new MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, default, AssemblyHashAlgorithm.Sha1);
        metadata.AddAssemblyReference(metadata.GetOrAddString(ContractVersion.AssemblyName), contracts, default, default, default, default);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var peBuilder = new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder());
        var image = new BlobBuilder();
        peBuilder.Serialize(image);
        var folder = Directory.CreateDirectory(Path.Join(_plugins, name)).FullName;
        File.WriteAllBytes(Path.Join(folder, name + ".dll"), image.ToArray());
    }

    private void InstallTestPlugin(string name)
    {
        var target = Directory.CreateDirectory(Path.Join(_plugins, name)).FullName;
        foreach (var file in Directory.GetFiles(TestPluginBuild(name)))
        {
            File.Copy(file, Path.Join(target, Path.GetFileName(file)));
        }
    }

    private static string TestPluginBuild(string name)
    {
        var testOutput = AppContext.BaseDirectory; // tests/Apart.Plugins.Tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(testOutput).Parent!.Name;
        return Path.GetFullPath(Path.Join(testOutput, "../../../../TestPlugins", name, "bin", configuration, "net10.0"));
    }

    private static string RepoRoot() => Path.GetFullPath(Path.Join(AppContext.BaseDirectory, "../../../../.."));
}
