namespace Apart.Inventory.Lsblk.Tests;

/// <summary>blkid's export format, from outputs recorded on this kind of machine.</summary>
public sealed class BlkidExportParserTests
{
    [Fact]
    public void Recorded_low_level_output_for_two_devices_is_read_per_device()
    {
        var found = BlkidExportParser.Parse(Fixture.Text("blkid-p-export-two-devices.txt"), valuesEscaped: true);

        Assert.Equal(2, found.Count);
        Assert.Equal(new("ext4", "my data", "914c85bc-f69b-4476-9664-14358cc04be6"), found["/dev/loop0"]);
        Assert.Equal(new("vfat", "BOOT", "4E82-C9AF"), found["/dev/loop1"]);
    }

    [Fact]
    public void Recorded_low_level_output_with_partition_entries_is_read()
    {
        var found = BlkidExportParser.Parse(Fixture.Text("blkid-p-export-loop-partitions.txt"), valuesEscaped: true);

        Assert.Equal(new("vfat", "EFI", "5706-3F8C"), found["/dev/loop2p1"]);
        Assert.Equal(new("ext4", "root", "df41bdcc-1268-49fc-8c21-f43f27e652f2"), found["/dev/loop2p2"]);
    }

    [Fact]
    public void Recorded_probe_output_gives_a_disk_with_only_a_partition_table_its_table()
    {
        var found = BlkidExportParser.Parse(Fixture.Text("blkid-export-loop-partitions.txt"));

        Assert.Equal(["/dev/loop2", "/dev/loop2p1", "/dev/loop2p2", "/dev/loop2p3"], found.Keys.Order());
        Assert.Equal(new("swap", "swap", "32a8556b-2cac-44c6-b9b2-3a4e33910afe"), found["/dev/loop2p3"]);
        Assert.Equal(new(null, null, null, "gpt"), found["/dev/loop2"]);
    }

    [Fact]
    public void Raw_values_are_kept_as_printed()
    {
        // blkid -d prints a label such as  a\b"c$d Dönnées  as it is.
        var found = BlkidExportParser.Parse("DEVNAME=/dev/loop2\nLABEL=a\\b\"c$d Dönnées\nUUID=d31e\nBLOCK_SIZE=1024\nTYPE=ext4\n");

        Assert.Equal(new("ext4", "a\\b\"c$d Dönnées", "d31e"), found["/dev/loop2"]);
    }

    [Fact]
    public void Escaped_values_lose_their_backslashes()
    {
        var found = BlkidExportParser.Parse("DEVNAME=/dev/loop2\nLABEL=a\\\\b\\\"c\\$d\\ x\nTYPE=ext4\n", valuesEscaped: true);

        Assert.Equal("a\\b\"c$d x", found["/dev/loop2"].Label);
    }

    [Fact]
    public void A_raw_label_holding_a_newline_continues_on_the_next_line()
    {
        var found = BlkidExportParser.Parse("DEVNAME=/dev/sdb1\nLABEL=two\nlines\nTYPE=vfat\n\nDEVNAME=/dev/sdb2\nTYPE=swap\n");

        Assert.Equal(new("vfat", "two\nlines", null), found["/dev/sdb1"]);
        Assert.Equal(new("swap", null, null), found["/dev/sdb2"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("LABEL=orphan\nTYPE=ext4\n")]
    public void Output_without_a_device_and_a_type_finds_nothing(string output) =>
        Assert.Empty(BlkidExportParser.Parse(output));
}
