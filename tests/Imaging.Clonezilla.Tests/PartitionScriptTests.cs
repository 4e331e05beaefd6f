namespace Apart.Imaging.Clonezilla.Tests;

/// <summary>The sfdisk dump an image keeps, and the script written back from it.</summary>
public sealed class PartitionScriptTests
{
    private static readonly string Gpt = File.ReadAllText(Path.Join(Fixture.Directory("savedisk-gpt"), "loop18-pt.sf"));
    private static readonly string Dos = File.ReadAllText(Path.Join(Fixture.Directory("savedisk-mbr"), "loop0-pt.sf"));

    [Fact]
    public void A_gpt_dump_is_read_with_its_identifiers_and_partitions()
    {
        var script = PartitionScript.Parse(Gpt);

        Assert.Equal(("gpt", 512L), (script.Label, script.SectorSize));
        Assert.Equal("4D8C1154-A82F-2B4E-964F-409A0C174743", script.Headers["label-id"]);
        Assert.Equal([(1, 2048L, 65536L), (2, 67584L, 262144L), (3, 329728L, 65536L)], script.Partitions.Select(p => (p.Number, p.Start, p.Size)));
        Assert.True(script.Partitions[2].IsSwapType);
    }

    [Fact]
    public void Written_back_it_keeps_every_identifier_but_drops_last_lba_so_the_backup_goes_to_the_new_disks_end()
    {
        var written = PartitionScript.Parse(Gpt).ForDisk(grow: null);

        Assert.DoesNotContain("last-lba", written, StringComparison.Ordinal);
        Assert.Contains("label-id: 4D8C1154-A82F-2B4E-964F-409A0C174743", written, StringComparison.Ordinal);
        Assert.Contains("size=       65536, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, uuid=09563CA1-82CD-054E-9589-D920B5ED28C4, name=\"swap\"", written, StringComparison.Ordinal);
        Assert.Equal(Gpt.Split('\n').Count(line => line.StartsWith('/')), written.Split('\n').Count(line => line.StartsWith('/')));
    }

    [Fact]
    public void Grown_the_last_partition_has_no_size_so_sfdisk_gives_it_the_rest_of_the_disk()
    {
        var script = PartitionScript.Parse(Gpt);

        var written = script.ForDisk(grow: script.Partitions[2]).Split('\n');

        Assert.Contains(written, line => line.StartsWith("/dev/loop18p3 : start=      329728, type=", StringComparison.Ordinal));
        Assert.Contains(written, line => line.StartsWith("/dev/loop18p2 : start=       67584, size=      262144,", StringComparison.Ordinal));
    }

    [Fact]
    public void In_a_dos_table_the_extended_partition_holding_the_last_one_grows_with_it()
    {
        var script = PartitionScript.Parse(Dos);
        Assert.True(script.Partitions.Single(p => p.Number == 3).IsContainer);

        var written = script.ForDisk(grow: script.Partitions.Single(p => p.Number == 5)).Split('\n');

        Assert.Contains("/dev/loop0p3 : start=      165888, type=5", written);
        Assert.Contains("/dev/loop0p5 : start=      167936, type=83", written);
        Assert.Contains("/dev/loop0p1 : start=        2048, size=      131072, type=83, bootable", written);
    }
}
