using Apart.Cli.Session;

namespace Apart.Cli.Tests.Session;

public sealed class CoreLocationTests
{
    [Fact]
    public void The_core_is_found_beside_apart() =>
        Assert.Equal("/opt/apart/apart-core", CoreLocator.Locate(null, "/opt/apart/"));

    [Fact]
    public void APART_CORE_overrides_it() =>
        Assert.Equal("/usr/local/bin/apart-core", CoreLocator.Locate("/usr/local/bin/apart-core", "/opt/apart/"));

    [Fact]
    public void An_empty_APART_CORE_is_ignored() =>
        Assert.Equal("/opt/apart/apart-core", CoreLocator.Locate("", "/opt/apart"));

    [Fact]
    public void Addresses_are_fresh_unix_sockets_in_the_runtime_directory()
    {
        var runtime = Directory.CreateTempSubdirectory("xdg-").FullName;
        try
        {
            var first = CoreAddress.NewIpcAddress(runtime);
            var second = CoreAddress.NewIpcAddress(runtime + "/");

            Assert.StartsWith($"ipc://{runtime}/apart-cli-", first, StringComparison.Ordinal);
            Assert.EndsWith(".ipc", first, StringComparison.Ordinal);
            Assert.StartsWith($"ipc://{runtime}/apart-cli-", second, StringComparison.Ordinal);
            Assert.NotEqual(first, second);
        }
        finally
        {
            Directory.Delete(runtime);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/nonexistent/run/user/1000")]
    public void Without_a_runtime_directory_addresses_are_in_tmp(string? runtime) =>
        Assert.Matches("^ipc:///tmp/apart-cli-[0-9a-f]{12}\\.ipc$", CoreAddress.NewIpcAddress(runtime));

    [Fact]
    public void A_missing_core_is_a_one_line_reason()
    {
        var error = Assert.Throws<CoreLostException>(() => CoreProcess.Start("/nonexistent/apart-core", "ipc:///tmp/x.ipc"));

        Assert.Contains("apart-core was not found at /nonexistent/apart-core", error.Message, StringComparison.Ordinal);
        Assert.Contains("APART_CORE", error.Message, StringComparison.Ordinal);
    }
}
