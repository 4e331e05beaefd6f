using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

[Collection(ProcessEnvironment.Name)]
public sealed class EnvironmentVariableTests
{
    [Fact]
    public void The_prefix_comes_from_APART_PARTCLONE_CMD()
    {
        using var standIns = new StandInDirectory("dd", "ext4");

        var locator = WithPrefixVariable(standIns.Prefix, PartcloneLocator.FromEnvironment);

        Assert.Equal(standIns.Prefix, locator.Prefix);
        Assert.Equal("ext4", new PartcloneImager(locator).FormatFor("ext4"));
        Assert.Equal(standIns.Prefix + ".ext4", new PartcloneImager(locator).Clone("ext4", new DeviceExtent("/dev/x", 1)).Command.Program);
    }

    [Fact]
    public void The_prefix_is_read_once_when_the_locator_is_made()
    {
        using var standIns = new StandInDirectory("dd");

        var locator = WithPrefixVariable(standIns.Prefix, PartcloneLocator.FromEnvironment);

        Assert.Equal(standIns.Prefix, WithPrefixVariable("/elsewhere/pcl", () => locator.Prefix));
    }

    [Fact]
    public void An_empty_APART_PARTCLONE_CMD_is_as_good_as_none()
    {
        var locator = WithPrefixVariable("", PartcloneLocator.FromEnvironment);

        Assert.Equal(new PartcloneLocator().Prefix, locator.Prefix);
    }

    private static T WithPrefixVariable<T>(string value, Func<T> action)
    {
        var saved = Environment.GetEnvironmentVariable(PartcloneLocator.PrefixVariable);
        Environment.SetEnvironmentVariable(PartcloneLocator.PrefixVariable, value);
        try
        {
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(PartcloneLocator.PrefixVariable, saved);
        }
    }
}
