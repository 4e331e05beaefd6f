using Apart.Abstractions;
using Apart.Testing;

namespace Apart.Imaging.Clonezilla.Tests;

/// <summary>Finding a missing, truncated or damaged piece before a byte of a disk is written (b2sum and co. are real).</summary>
public sealed class PieceCheckTests
{
    private readonly ClonezillaImager _format = new();

    [Fact]
    public async Task A_piece_missing_between_others_is_named()
    {
        using var directory = Fixture.Copy("saveparts");
        File.Delete(Path.Join(directory.Path, "loop3.ext4-ptcl-img.gz.ab"));

        var check = await _format.CheckPiecesAsync((await _format.ReadAsync(directory.Path))!, contents: false);

        Assert.Equal("loop3.ext4-ptcl-img.gz.ab is missing from the image", check.Problem);
    }

    [Fact]
    public async Task Without_a_manifest_a_middle_piece_shorter_than_the_first_is_truncated()
    {
        using var directory = Fixture.Copy("saveparts");
        foreach (var piece in new[] { "aa", "ab", "ac" })
        {
            await File.WriteAllBytesAsync(Path.Join(directory.Path, $"loop3.ext4-ptcl-img.gz.{piece}"), new byte[piece == "ab" ? 10 : 100]);
        }

        var check = await _format.CheckPiecesAsync((await _format.ReadAsync(directory.Path))!, contents: false);

        Assert.Equal("loop3.ext4-ptcl-img.gz.ab is truncated: it is shorter than the pieces before it", check.Problem);
        Assert.False(check.Recorded);
    }

    [Fact]
    public async Task Recorded_checksums_find_a_damaged_piece_and_a_quick_check_only_sizes()
    {
        using var directory = Fixture.Copy("saveparts");
        var pieces = Directory.EnumerateFiles(directory.Path, "*ptcl*").Order(StringComparer.Ordinal).ToList();
        foreach (var piece in pieces)
        {
            await File.WriteAllBytesAsync(piece, Enumerable.Repeat((byte)7, 1000).ToArray());
        }

        await File.WriteAllTextAsync(Path.Join(directory.Path, "B2SUMS"), Programs.Run("sh", "-c", $"cd '{directory.Path}' && b2sum *ptcl*"));
        var image = (await _format.ReadAsync(directory.Path))!;
        Assert.Equal(PieceCheck.Whole, await _format.CheckPiecesAsync(image, contents: true));

        var bytes = await File.ReadAllBytesAsync(pieces[2]);
        bytes[500] ^= 0xFF;
        await File.WriteAllBytesAsync(pieces[2], bytes);

        Assert.Equal(new PieceCheck(null, Recorded: true), await _format.CheckPiecesAsync(image, contents: false));
        Assert.Equal(
            "loop3.ext4-ptcl-img.gz.ac is damaged: its checksum is not the one recorded in B2SUMS",
            (await _format.CheckPiecesAsync(image, contents: true)).Problem);
    }

    [Fact]
    public async Task A_partition_image_is_checked_against_its_own_lines_of_the_checksum_file_only()
    {
        using var directory = Fixture.Copy("saveparts");
        await File.WriteAllTextAsync(Path.Join(directory.Path, "notes"), "x");
        await File.WriteAllTextAsync(Path.Join(directory.Path, "B2SUMS"), Programs.Run("sh", "-c", $"cd '{directory.Path}' && b2sum *ptcl* notes"));
        File.Delete(Path.Join(directory.Path, "notes"));

        var part = _format.ReadPartition(Path.Join(directory.Path, "loop3.ext4-ptcl-img.gz.aa"))!;
        var check = await _format.CheckPiecesAsync(new DiskImage(directory.Path, null, null, 0, [part]), contents: true);

        Assert.Equal(PieceCheck.Whole, check);
    }
}
