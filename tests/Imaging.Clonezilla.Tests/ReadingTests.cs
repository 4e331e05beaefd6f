using Apart.Abstractions;

namespace Apart.Imaging.Clonezilla.Tests;

/// <summary>Clonezilla's own images, as it saved them, read as disks and partitions.</summary>
public sealed class ReadingTests
{
    private readonly ClonezillaImager _format = new();

    [Fact]
    public async Task A_gpt_savedisk_image_has_its_disk_data_partitions_in_pieces_and_its_swap_identity()
    {
        var image = await _format.ReadAsync(Fixture.Directory("savedisk-gpt"));

        Assert.NotNull(image);
        Assert.Equal(("loop18", "gpt", 614400L * 512), (image.DiskName, image.Table, image.DiskSize));
        Assert.Equal((395264L + 33) * 512, image.RequiredSize);
        Assert.Equal(["loop18p1", "loop18p2", "loop18p3"], image.Parts.Select(part => part.Name));
        var (efi, root, swap) = (image.Parts[0], image.Parts[1], image.Parts[2]);
        Assert.Equal((PartRole.Data, "vfat", "zst", 2048L * 512, 65536L * 512), (efi.Role, efi.Format, efi.CodecExtension, efi.Start, efi.Size));
        Assert.Equal(["loop18p2.ext4-ptcl-img.zst.aa", "loop18p2.ext4-ptcl-img.zst.ab"], root.Pieces.Select(Path.GetFileName));
        Assert.Equal((PartRole.Swap, "5fdb29d8-dce8-47d1-953a-f4a035d58ddd", "SWAPTEST"), (swap.Role, swap.Uuid, swap.Label));
        Assert.Empty(image.WrittenFiles);
    }

    [Fact]
    public async Task An_mbr_image_has_its_extended_partition_as_a_container_and_unsplit_images()
    {
        var image = await _format.ReadAsync(Fixture.Directory("savedisk-mbr"));

        Assert.NotNull(image);
        Assert.Equal("dos", image.Table);
        Assert.Equal(
            [("loop0p1", PartRole.Data), ("loop0p2", PartRole.Swap), ("loop0p3", PartRole.Container), ("loop0p5", PartRole.Data)],
            image.Parts.Select(part => (part.Name, part.Role)));
        Assert.Equal(["loop0p5.ext4-ptcl-img.gz"], image.Parts[3].Pieces.Select(Path.GetFileName));
        Assert.Equal("gz", image.Parts[3].CodecExtension);
    }

    [Fact]
    public async Task A_saveparts_image_has_no_disk_and_its_partition_is_read_from_its_first_piece()
    {
        var image = await _format.ReadAsync(Fixture.Directory("saveparts"));
        var part = _format.ReadPartition(Path.Join(Fixture.Directory("saveparts"), "loop3.ext4-ptcl-img.gz.ac"));

        Assert.NotNull(image);
        Assert.Null(image.DiskName);
        Assert.Equal(["loop3"], image.Parts.Select(p => p.Name));
        Assert.NotNull(part);
        Assert.Equal(["aa", "ab", "ac", "ad"], part.Pieces.Select(piece => piece[^2..]));
        Assert.Equal(("ext4", "gz"), (part.Format, part.CodecExtension));
    }

    [Fact]
    public async Task A_directory_without_parts_is_not_an_image_and_two_disks_are_refused()
    {
        using var empty = Fixture.Copy();
        using var twoDisks = Fixture.Copy("savedisk-gpt");
        await File.WriteAllTextAsync(Path.Join(twoDisks.Path, "disk"), "sda sdb\n");

        Assert.Null(await _format.ReadAsync(empty.Path));
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => _format.ReadAsync(twoDisks.Path));
        Assert.Contains("2 disks (sda, sdb)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_of_lvm_volumes_is_refused_saying_so()
    {
        using var lvm = Fixture.Copy("savedisk-gpt");
        await File.WriteAllTextAsync(Path.Join(lvm.Path, "lvm_vg_dev.list"), "vg0 /dev/loop18p2 abcdef\n");

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => _format.ReadAsync(lvm.Path));

        Assert.Contains("LVM logical volumes", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sda1.ext4-ptcl-img.gz.aa", "sda1", "ext4", "gz", "aa")]
    [InlineData("nvme0n1p2.vfat-ptcl-img.zst.ab", "nvme0n1p2", "vfat", "zst", "ab")]
    [InlineData("cciss-c0d0p1.ntfs-ptcl-img.uncomp.aaa", "cciss-c0d0p1", "ntfs", "uncomp", "aaa")]
    [InlineData("sda1.ext4-ptcl-img.gz", "sda1", "ext4", "gz", null)]
    public void Partition_image_names_are_read_as_Clonezilla_writes_them(string name, string partition, string filesystem, string suffix, string? piece) =>
        Assert.Equal((partition, filesystem, suffix, piece), ClonezillaNames.ReadImageName(name));

    [Theory]
    [InlineData("sda1.ext4.gz.aa")]
    [InlineData("sda-pt.sf")]
    [InlineData("sda1.ext4-ptcl-img.gz.a")]
    public void Other_names_are_not_partition_images(string name) => Assert.Null(ClonezillaNames.ReadImageName(name));
}
