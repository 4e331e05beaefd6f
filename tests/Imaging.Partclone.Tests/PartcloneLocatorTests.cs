namespace Apart.Imaging.Partclone.Tests;

public sealed class PartcloneLocatorTests
{
    [Fact]
    public void A_configured_prefix_is_used_as_it_is()
    {
        var locator = new PartcloneLocator("/opt/mock/mockpcl");

        Assert.Equal("/opt/mock/mockpcl", locator.Prefix);
        Assert.Equal("/opt/mock/mockpcl.ext4", locator.ProgramPath("ext4"));
        Assert.False(locator.IsInstalled("ext4"));
    }

    [Fact]
    public void A_relative_prefix_is_taken_from_the_current_directory()
    {
        var locator = new PartcloneLocator("tests/mockpcl/mockpcl");

        Assert.Equal(Path.GetFullPath("tests/mockpcl/mockpcl"), locator.Prefix);
    }

    [Fact]
    public void A_configured_prefix_wins_over_an_installed_partclone()
    {
        using var installed = new StandInDirectory();
        File.Copy(installed.Add("dd"), Path.Combine(installed.Path, "partclone.dd"));
        using var standIns = new StandInDirectory("dd", "ext4");

        var locator = new PartcloneLocator(standIns.Prefix, StandInDirectory.Finder(installed.Path));

        Assert.Equal(standIns.Prefix, locator.Prefix);
        Assert.True(locator.IsInstalled("ext4"));
    }

    [Fact]
    public void Without_a_prefix_partclone_is_where_partclone_dd_is_found_first()
    {
        using var empty = new StandInDirectory();
        using var second = new StandInDirectory();
        using var third = new StandInDirectory();
        InstallPartclone(second, "dd", "ext4");
        InstallPartclone(third, "dd", "ext4", "xfs");

        var locator = new PartcloneLocator(null, StandInDirectory.Finder(empty.Path, second.Path, third.Path));

        Assert.Equal(Path.Combine(second.Path, "partclone"), locator.Prefix);
        Assert.True(locator.IsInstalled("ext4"));
        Assert.False(locator.IsInstalled("xfs"));
    }

    [Fact]
    public void Partclone_installed_after_a_miss_is_found_without_a_restart()
    {
        using var directory = new StandInDirectory();
        var locator = new PartcloneLocator(null, StandInDirectory.Finder(directory.Path));
        Assert.Null(locator.Prefix);
        Assert.Equal("partclone.ext4", locator.ProgramPath("ext4"));

        InstallPartclone(directory, "dd");

        Assert.Equal(Path.Combine(directory.Path, "partclone"), locator.Prefix);
    }

    [Fact]
    public void Symlinks_count_by_what_they_point_at()
    {
        using var standIns = new StandInDirectory("extfs");
        File.CreateSymbolicLink(standIns.Prefix + ".ext4", standIns.Prefix + ".extfs");
        File.CreateSymbolicLink(standIns.Prefix + ".xfs", standIns.Prefix + ".missing");
        File.CreateSymbolicLink(standIns.Prefix + ".btrfs", standIns.Path);
        Directory.CreateDirectory(standIns.Prefix + ".ntfs");
        standIns.Add("f2fs", executable: false);

        var locator = new PartcloneLocator(standIns.Prefix);

        Assert.True(locator.IsInstalled("ext4"));
        Assert.False(locator.IsInstalled("xfs"));
        Assert.False(locator.IsInstalled("btrfs"));
        Assert.False(locator.IsInstalled("ntfs"));
        Assert.False(locator.IsInstalled("f2fs"));
    }

    private static void InstallPartclone(StandInDirectory directory, params string[] variants)
    {
        foreach (var variant in variants)
        {
            var file = directory.Add(variant);
            File.Move(file, Path.Combine(directory.Path, "partclone." + variant));
        }
    }
}
