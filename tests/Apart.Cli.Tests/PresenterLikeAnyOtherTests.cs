using System.Xml.Linq;
using Apart.Testing;

namespace Apart.Cli.Tests;

/// <summary>
/// apart is a presenter like any other: it speaks the wire through Apart.Protocol and reaches the
/// transport through its contract, loading the transport plugin as the core does. It compiles no
/// other project's files and references no plugin.
/// </summary>
public sealed class PresenterLikeAnyOtherTests
{
    private static readonly XDocument Project = XDocument.Load(Path.Join(Repository.Root, "src", "Apart.Cli", "Apart.Cli.csproj"));

    [Fact]
    public void The_project_compiles_only_its_own_files() =>
        Assert.DoesNotContain(Project.Descendants("Compile"), item => item.Attribute("Include") is not null);

    [Fact]
    public void The_project_references_no_plugin() =>
        Assert.DoesNotContain(
            Project.Descendants().Select(item => (string?)item.Attribute("Include") ?? ""),
            include => include.Contains("plugins/", StringComparison.Ordinal) || include.Contains(@"plugins\", StringComparison.Ordinal));

    [Fact]
    public void Apart_carries_no_type_of_the_core_nor_of_a_plugin()
    {
        var assembly = typeof(CliApp).Assembly;

        Assert.All(assembly.GetTypes(), type => Assert.StartsWith("Apart.Cli", type.Namespace ?? "Apart.Cli", StringComparison.Ordinal));
        Assert.DoesNotContain(assembly.GetReferencedAssemblies(), reference => reference.Name is "apart-core" or "Transport.Zmq");
    }
}
