using System.Buffers.Binary;
using System.Text;

namespace Apart.Imaging.Partclone.Tests;

public sealed class PartcloneImageHeaderTests
{
    private static readonly PartcloneImager _imager = new(new PartcloneLocator("/nonexistent/pcl"));

    // What the imager reads of an image's start, as the host hands it over: null when it is no partclone header.
    private static long? SourceSize(ReadOnlySpan<byte> head)
    {
        try
        {
            return _imager.ReadSourceSizeAsync("ext4", new MemoryStream(head.ToArray()), null).AsTask().GetAwaiter().GetResult();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    [Fact]
    public void Header_v2_from_a_real_image_gives_the_device_size()
    {
        var head = Fixture.Bytes("ext4-64MiB.head.bin");

        Assert.Equal(67108864, SourceSize(head));
        Assert.Equal(new PartcloneImageHeader("0002", "EXTFS", 67108864), PartcloneImageHeader.TryRead(head));
    }

    [Fact]
    public void Header_length_is_enough_for_both_formats_and_no_more_is_needed()
    {
        var head = Fixture.Bytes("ext4-64MiB.head.bin");

        Assert.Equal(60, PartcloneImageHeader.Length);
        Assert.Equal(67108864, SourceSize(head.AsSpan(0, PartcloneImageHeader.Length)));
        Assert.Null(SourceSize(head.AsSpan(0, PartcloneImageHeader.Length - 1)));
        Assert.Equal(123456789L, SourceSize(V1Header("FAT", 123456789L).AsSpan(0, PartcloneImageHeader.Length)));
    }

    [Fact]
    public async Task Only_the_header_is_read_of_a_long_image()
    {
        var image = new MemoryStream([.. Fixture.Bytes("ext4-64MiB.head.bin"), .. new byte[1 << 20]]);

        Assert.Equal(67108864, await _imager.ReadSourceSizeAsync("ext4", image, null));
        Assert.Equal(PartcloneImageHeader.Length, image.Position);
    }

    [Fact]
    public async Task A_raw_image_is_as_long_as_its_device_and_is_not_read()
    {
        var image = new MemoryStream(new byte[4096]);

        Assert.Equal(4096, await _imager.ReadSourceSizeAsync("dd", image, 4096));
        Assert.Null(await _imager.ReadSourceSizeAsync("dd", image, null));
        Assert.Equal(0, image.Position);
    }

    [Fact]
    public async Task A_damaged_header_says_so_in_words_for_people()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _imager.ReadSourceSizeAsync("ext4", new MemoryStream(new byte[100]), 100).AsTask());

        Assert.Contains("not a partclone image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_v1_gives_the_device_size()
    {
        var head = V1Header("EXTFS", 21474836480L);

        Assert.Equal(new PartcloneImageHeader("0001", "EXTFS", 21474836480L), PartcloneImageHeader.TryRead(head));
        Assert.Equal(21474836480L, SourceSize(head.AsSpan(0, 48)));
        Assert.Null(SourceSize(head.AsSpan(0, 47)));
    }

    [Fact]
    public void Header_v2_written_big_endian_is_read_in_its_byte_order()
    {
        var head = Fixture.Bytes("ext4-64MiB.head.bin");
        head[34] = 0xC0;
        head[35] = 0xDE;
        BinaryPrimitives.WriteUInt64BigEndian(head.AsSpan(52), 67108864);

        Assert.Equal(67108864, SourceSize(head));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("zeros")]
    [InlineData("random")]
    [InlineData("ext4 device start")]
    [InlineData("text")]
    [InlineData("v2 bad endian mark")]
    [InlineData("unknown image version")]
    [InlineData("magic only")]
    [InlineData("size beyond long")]
    public void Anything_else_is_not_a_header(string what)
    {
        var fixture = Fixture.Bytes("ext4-64MiB.head.bin");
        var head = what switch
        {
            "empty" => [],
            "zeros" => new byte[4096],
            "random" => RandomBytes(4096),
            "ext4 device start" => Ext4DeviceStart(),
            "text" => Encoding.ASCII.GetBytes("partclone-images are made by partclone, this is a text file about them"),
            "v2 bad endian mark" => With(fixture, 34, 0x12, 0x34),
            "unknown image version" => With(fixture, 30, (byte)'0', (byte)'0', (byte)'0', (byte)'3'),
            "magic only" => Encoding.ASCII.GetBytes("partclone-image\0"),
            "size beyond long" => With(fixture, 52, 0, 0, 0, 0, 0, 0, 0, 0x80),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        Assert.Null(SourceSize(head));
    }

    // partclone.h image_head_v1 + file_system_info_v1, packed: magic[15], fs[15], version[4],
    // padding[2], block_size int at 36, device_size u64 at 40, totalblock, usedblocks.
    private static byte[] V1Header(string fs, long deviceSize)
    {
        var head = new byte[64];
        Encoding.ASCII.GetBytes("partclone-image").CopyTo(head, 0);
        Encoding.ASCII.GetBytes(fs).CopyTo(head, 15);
        Encoding.ASCII.GetBytes("0001").CopyTo(head, 30);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(36), 4096);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(40), deviceSize);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(48), deviceSize / 4096);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(56), 10);
        return head;
    }

    // What a dd image starts with: the raw device, here an ext4 superblock at 1024 after zeros.
    private static byte[] Ext4DeviceStart()
    {
        var head = new byte[4096];
        head[1024 + 0x38] = 0x53;
        head[1024 + 0x39] = 0xEF;
        return head;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    private static byte[] With(byte[] head, int offset, params byte[] bytes)
    {
        var copy = (byte[])head.Clone();
        bytes.CopyTo(copy, offset);
        return copy;
    }
}
