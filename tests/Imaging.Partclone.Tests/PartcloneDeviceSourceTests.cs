using System.Buffers.Binary;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>Serving a device from partclone images made here in every layout partclone writes.</summary>
public sealed class PartcloneDeviceSourceTests : IDisposable
{
    private readonly PartcloneImager _imager = new(new PartcloneLocator("/x/pcl"));
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    // More blocks than one rank summary entry covers, used in runs, singles and long gaps.
    private static SyntheticImage Sample(uint blocksPerChecksum = 4, ushort checksumMode = 0x20, bool reseed = true, long? deviceSize = null)
    {
        const int blockSize = 512;
        var device = new byte[(PartcloneBlockMap.BlocksPerSummary * 2 + 1234) * blockSize];
        new Random(16).NextBytes(device);
        return new SyntheticImage(device, blockSize, b => b % 7 is 0 or 1 or 2 || (b > 9000 && b < 9100) || b == 17000, blocksPerChecksum, checksumMode, reseed, deviceSize);
    }

    private IRandomAccessSource Open(byte[] image, string format = "ext4") => _imager.OpenDevice(format, new FileSource(Write(image)));

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"apart-ptcl-{Guid.NewGuid():N}.img");
        _files.Add(path);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] ReadAll(IRandomAccessSource source, int chunk)
    {
        var all = new byte[source.Length];
        for (long at = 0; at < all.Length;)
        {
            var read = source.Read(at, all.AsSpan((int)at, (int)Math.Min(chunk, all.Length - at)));
            Assert.True(read > 0);
            at += read;
        }

        return all;
    }

    [Fact]
    public void Partclones_crc32_is_zlibs_without_the_final_inversion()
    {
        Assert.Equal(~0xCBF43926u, PartcloneCrc32.Compute("123456789"u8));
        Assert.Equal(SyntheticImage.Crc(0x12345678, "partclone"u8), PartcloneCrc32.Update(0x12345678, "partclone"u8));
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(512)]
    [InlineData(1000)]
    [InlineData(1 << 20)]
    public void Every_byte_is_the_used_blocks_or_zeros_whatever_the_reads(int chunk)
    {
        var sample = Sample();
        using var device = Open(sample.Build());

        Assert.Equal(sample.Device.Length, device.Length);
        Assert.Equal(sample.Restored(), ReadAll(device, chunk));
    }

    [Theory]
    [InlineData(1u, (ushort)0x20, true)]
    [InlineData(3u, (ushort)0x20, true)]
    [InlineData(5u, (ushort)0x20, false)]
    [InlineData(0u, (ushort)0, true)]
    public void Checksum_layouts_partclone_writes_are_all_read(uint blocksPerChecksum, ushort mode, bool reseed)
    {
        var sample = Sample(blocksPerChecksum, mode, reseed);
        using var device = Open(sample.Build());

        Assert.Equal(sample.Restored(), ReadAll(device, 64 * 1024));
    }

    [Fact]
    public void Reads_at_any_offset_match_the_device()
    {
        var sample = Sample();
        var expected = sample.Restored();
        using var device = Open(sample.Build());
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var offset = random.NextInt64(expected.Length + 100);
            var buffer = new byte[random.Next(1, 70_000)];
            var read = device.Read(offset, buffer);
            var want = (int)Math.Clamp(expected.Length - offset, 0, buffer.Length);
            Assert.Equal(want, read);
            Assert.True(expected.AsSpan((int)Math.Min(offset, expected.Length), want).SequenceEqual(buffer.AsSpan(0, read)), $"at {offset}");
        }
    }

    [Fact]
    public void A_device_larger_than_its_blocks_reads_zeros_past_them_and_ends_at_its_size()
    {
        var sample = Sample(deviceSize: Sample().Device.Length + 3000);
        using var device = Open(sample.Build());

        Assert.Equal(sample.DeviceSize, device.Length);
        Assert.Equal(sample.Restored(), ReadAll(device, 8192));
        Assert.Equal(0, device.Read(device.Length, new byte[10]));
    }

    [Fact]
    public void The_summary_is_8_bytes_per_8192_blocks()
    {
        var sample = Sample();
        using var device = (PartcloneDeviceSource)Open(sample.Build());

        Assert.Equal(Enumerable.Range(0, (int)sample.TotalBlocks).Count(b => sample.Used(b)), device.Map.UsedBlocks);
        Assert.Equal(((sample.TotalBlocks + 8191) / 8192 + 1) * 8, device.Map.SummaryBytes);
    }

    [Fact]
    public void A_damaged_header_is_refused_with_its_checksums()
    {
        var image = Sample().Build();
        image[70] ^= 1;

        var error = Assert.Throws<InvalidDataException>(() => Open(image));

        Assert.Contains("header is damaged", error.Message);
    }

    [Fact]
    public void A_damaged_bitmap_is_refused()
    {
        var image = Sample().Build();
        image[110 + 500] ^= 0x10;

        var error = Assert.Throws<InvalidDataException>(() => Open(image));

        Assert.Contains("bitmap is damaged", error.Message);
    }

    [Fact]
    public void A_corrupted_block_fails_only_the_reads_of_its_group()
    {
        var sample = Sample(blocksPerChecksum: 3);
        var image = sample.Build();
        var bitmapBytes = (int)((sample.TotalBlocks + 7) / 8);
        var data = 110 + bitmapBytes + 4;

        // Used blocks 0, 1, 2, 7, 8, 9…: ranks 3, 4, 5 (device blocks 7, 8, 9) are the second group; corrupt rank 4.
        image[data + (4 * 512) + 4 + 100] ^= 0xFF;
        using var device = Open(image);

        var error = Assert.Throws<InvalidDataException>(() => device.Read(0, new byte[16 * 512]));
        Assert.Contains("used blocks 3-5", error.Message);
        var elsewhere = new byte[16 * 512];
        Assert.Equal(elsewhere.Length, device.Read(50 * 512, elsewhere));
        Assert.True(sample.Restored().AsSpan(50 * 512, elsewhere.Length).SequenceEqual(elsewhere));
    }

    [Fact]
    public void A_read_of_part_of_a_group_checks_the_whole_group_first()
    {
        var sample = Sample(blocksPerChecksum: 3);
        var image = sample.Build();
        var data = 110 + (int)((sample.TotalBlocks + 7) / 8) + 4;
        image[data + (4 * 512) + 4 + 100] ^= 0xFF; // rank 4 (device block 8), in the group of ranks 3-5

        using (var damaged = Open(image))
        {
            // One block of the group, the damaged one or its neighbour: either read fails.
            Assert.Contains("used blocks 3-5", Assert.Throws<InvalidDataException>(() => damaged.Read(8 * 512, new byte[512])).Message);
            Assert.Contains("used blocks 3-5", Assert.Throws<InvalidDataException>(() => damaged.Read((7 * 512) + 10, new byte[100])).Message);
            var next = new byte[512];
            Assert.Equal(next.Length, damaged.Read(14 * 512, next)); // device block 14 is rank 6, the next group
            Assert.True(sample.Restored().AsSpan(14 * 512, next.Length).SequenceEqual(next));
        }

        using var sound = Open(sample.Build());
        for (var block = 0; block < 40; block++)
        {
            var one = new byte[512];
            Assert.Equal(one.Length, sound.Read(block * 512, one));
            Assert.True(sample.Restored().AsSpan(block * 512, one.Length).SequenceEqual(one), $"block {block}");
        }
    }

    [Fact]
    public void Without_reseeding_each_group_is_checked_from_the_checksum_before_it()
    {
        var sample = Sample(blocksPerChecksum: 2, reseed: false);
        var image = sample.Build();
        using (var device = Open(image))
        {
            // Blocks 14 and 15 are ranks 6 and 7: the fourth group alone, seeded by the third's checksum.
            var buffer = new byte[2 * 512];
            Assert.Equal(buffer.Length, device.Read(14 * 512, buffer));
            Assert.True(sample.Restored().AsSpan(14 * 512, buffer.Length).SequenceEqual(buffer));
        }

        var data = 110 + (int)((sample.TotalBlocks + 7) / 8) + 4;
        image[data + (7 * 512) + (3 * 4) + 7] ^= 1;
        using var damaged = Open(image);
        Assert.Throws<InvalidDataException>(() => damaged.Read(14 * 512, new byte[2 * 512]));
    }

    [Fact]
    public void A_truncated_image_opens_and_fails_the_reads_past_its_end()
    {
        var sample = Sample();
        var image = sample.Build();
        using var device = Open(image[..(image.Length / 2)]);

        var start = new byte[4096];
        Assert.Equal(start.Length, device.Read(0, start));
        Assert.True(sample.Restored().AsSpan(0, start.Length).SequenceEqual(start));
        var error = Assert.Throws<InvalidDataException>(() => device.Read(device.Length - 4096, new byte[4096]));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_truncated_bitmap_is_refused()
    {
        var image = Sample().Build();

        var error = Assert.Throws<InvalidDataException>(() => Open(image[..600]));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Other_bytes_are_not_a_partclone_image()
    {
        var error = Assert.Throws<InvalidDataException>(() => Open(new byte[4096]));

        Assert.Contains("not a partclone image", error.Message);
    }

    [Fact]
    public void Format_0001_images_are_not_read_in_place_and_say_so()
    {
        var head = new byte[4160 + 16];
        "partclone-image"u8.CopyTo(head);
        "EXTFS"u8.CopyTo(head.AsSpan(15));
        "0001"u8.CopyTo(head.AsSpan(30));
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(36), 4096);
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(40), 4096);

        var error = Assert.Throws<NotSupportedException>(() => Open(head));

        Assert.Contains("0001", error.Message);
    }

    [Fact]
    public void A_byte_per_block_bitmap_is_refused_as_partclone_itself_cannot_read_it()
    {
        var image = Sample().Build();
        image[105] = 0x08;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(106), SyntheticImage.Crc(0xFFFFFFFF, image.AsSpan(0, 106)));

        Assert.Throws<NotSupportedException>(() => Open(image));
    }

    [Fact]
    public void A_raw_image_is_the_device_itself()
    {
        var bytes = new byte[10_000];
        new Random(5).NextBytes(bytes);
        var source = new FileSource(Write(bytes));

        using var device = _imager.OpenDevice("dd", source);

        Assert.Same(source, device);
        Assert.Equal(bytes, ReadAll(device, 3000));
    }

    [Fact]
    public void Disposing_the_device_disposes_the_image()
    {
        var source = new FileSource(Write(Sample().Build()));
        var device = _imager.OpenDevice("ext4", source);

        device.Dispose();

        Assert.True(source.Disposed);
    }

    [Fact]
    public void A_format_that_is_not_a_variant_is_refused() =>
        Assert.Throws<ArgumentException>(() => _imager.OpenDevice("../x", new FileSource(Write(new byte[1]))));
}
