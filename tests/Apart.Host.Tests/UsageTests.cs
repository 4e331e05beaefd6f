using Apart.Abstractions;

namespace Apart.Host.Tests;

public sealed class UsageTests
{
    [Fact]
    public void The_help_lists_the_variables_the_plugins_read_in_order_wrapped_under_their_names()
    {
        var text = Usage.Text([
            new EnvironmentVariableHelp("APART_ZZZ_CMD", "PATH", "run PATH instead"),
            new EnvironmentVariableHelp("APART_AAA_CMD", "PREFIX", string.Join(' ', Enumerable.Repeat("word", 30))),
        ]);

        Assert.Contains("Usage:", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("APART_AAA_CMD=PREFIX", StringComparison.Ordinal) < text.IndexOf("APART_ZZZ_CMD=PATH", StringComparison.Ordinal));
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 100, line));
        Assert.Contains("APART_StateDirectory=DIR", text, StringComparison.Ordinal);
        Assert.Contains("APART_CacheDirectory=DIR", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_plugins_the_help_still_tells_how_to_start_the_core() =>
        Assert.Contains("apart-core --listen", Usage.Text([]), StringComparison.Ordinal);
}
