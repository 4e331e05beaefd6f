namespace Apart.Inventory.Lsblk.Tests;

/// <summary>lsblk's JSON in all the shapes real lsblk and its stand-ins print it.</summary>
public sealed class LsblkJsonParserTests
{
    [Fact]
    public void Sizes_as_numbers_and_as_strings_read_alike()
    {
        var devices = LsblkJsonParser.Parse("""
            {"blockdevices": [
              {"name": "sda", "size": 213282455552},
              {"name": "sdb", "size": "213282455552"},
              {"name": "sdc", "size": 2.0E3},
              {"name": "sdd", "size": null},
              {"name": "sde"}
            ]}
            """);

        Assert.Equal([213282455552L, 213282455552L, 2000L, 0L, 0L], devices.Select(device => device.Size));
    }

    [Fact]
    public void Every_column_but_the_name_may_be_missing()
    {
        var device = Assert.Single(LsblkJsonParser.Parse("""{"blockdevices": [{"name": "sda"}]}"""));

        Assert.Equal(new LsblkDevice("sda", null, null, 0, null, null, null, false, []), device with { Children = [] });
        Assert.Empty(device.Children);
    }

    [Fact]
    public void Empty_strings_read_as_absent()
    {
        var device = Assert.Single(LsblkJsonParser.Parse(
            """{"blockdevices": [{"name": "sda1", "path": "", "fstype": "", "label": "", "uuid": "", "mountpoint": ""}]}"""));

        Assert.Null(device.Path);
        Assert.False(device.HasFilesystemData);
        Assert.False(device.HasMountpoint);
    }

    [Theory]
    [InlineData("""{"name": "a", "mountpoint": "/mnt"}""", true)]
    [InlineData("""{"name": "a", "mountpoint": "[SWAP]"}""", true)]
    [InlineData("""{"name": "a", "mountpoint": null, "mountpoints": [null, "/srv"]}""", true)]
    [InlineData("""{"name": "a", "mountpoint": null, "mountpoints": [null]}""", false)]
    [InlineData("""{"name": "a", "mountpoints": []}""", false)]
    public void Mountpoint_or_any_of_mountpoints_means_mounted(string device, bool mounted) =>
        Assert.Equal(mounted, Assert.Single(LsblkJsonParser.Parse($$"""{"blockdevices": [{{device}}]}""")).HasMountpoint);

    [Fact]
    public void Upper_case_keys_and_a_name_only_in_path_are_tolerated()
    {
        var device = Assert.Single(LsblkJsonParser.Parse(
            """{"BLOCKDEVICES": [{"PATH": "/dev/mapper/vg-root", "TYPE": "lvm", "SIZE": 5, "FSTYPE": "xfs"}]}"""));

        Assert.Equal("vg-root", device.Name);
        Assert.Equal("mapper/vg-root", DeviceName.Of(device));
        Assert.Equal("xfs", device.FsType);
    }

    [Fact]
    public void No_devices_at_all_is_an_empty_list()
    {
        Assert.Empty(LsblkJsonParser.Parse("""{"blockdevices": []}"""));
        Assert.Empty(LsblkJsonParser.Parse("""{"blockdevices": null}"""));
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("NAME SIZE\nsda 100", "not valid JSON")]
    [InlineData("""{"blockdevices": [{"name": "sda", "size": 1}""", "not valid JSON")]
    [InlineData("""{"devices": []}""", "no \"blockdevices\"")]
    [InlineData("""[{"name": "sda"}]""", "no \"blockdevices\"")]
    [InlineData("""{"blockdevices": {"name": "sda"}}""", "\"blockdevices\" is not a list")]
    [InlineData("""{"blockdevices": ["sda"]}""", "not a JSON object")]
    [InlineData("""{"blockdevices": [{"size": 1}]}""", "without a name")]
    [InlineData("""{"blockdevices": [{"name": "sda", "size": "1.5G"}]}""", "sda the size \"1.5G\"")]
    [InlineData("""{"blockdevices": [{"name": "sda", "children": 3}]}""", "children of sda is not a list")]
    public void Malformed_output_is_an_exception_saying_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => LsblkJsonParser.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
