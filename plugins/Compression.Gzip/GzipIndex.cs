using System.Buffers.Binary;
using System.IO.Compression;
using Apart.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Apart.Compression.Gzip;

/// <summary>
/// The access points of one gzip image (zlib's zran approach), kept in an index file outside the
/// image. One full pass of inflating builds it; after that, opening the image reads only the index.
/// </summary>
/// <remarks>
/// The file holds the windows (each deflated), then the table of points, then a fixed-size footer:
/// a magic, the format version, the image's compressed length and its last 8 bytes (the gzip
/// trailer: CRC and length), and a CRC-32 of everything before it. An index whose footer does not
/// match the image, or whose CRC does not match its bytes, is not trusted: it is built again.
/// </remarks>
internal sealed unsafe class GzipIndex : IDisposable
{
    /// <summary>
    /// Decompressed bytes between access points. A read that misses the cache inflates on average
    /// half of this (about 8 ms at zlib's speed here), while each point costs a 32 KiB window in
    /// the index (deflated, roughly 0.3 % of the decompressed size): 4 MiB keeps both small.
    /// </summary>
    public const long Span = 4L << 20;

    public const int WindowSize = 32 << 10;
    private const int InputSize = 256 << 10;
    private const int Version = 1;
    private const int PointSize = 8 + 8 + 1 + 8 + 4;
    private const int FooterSize = 8 + 4 + 8 + 8 + 8 + 8 + 8 + 8 + 4;
    private static ReadOnlySpan<byte> Magic => "APARTGZI"u8;

    private readonly SafeFileHandle _file;

    private GzipIndex(SafeFileHandle file, GzipAccessPoint[] points, long length)
    {
        _file = file;
        Points = points;
        Length = length;
    }

    /// <summary>The access points, by ascending <see cref="GzipAccessPoint.Out"/>; the first at 0.</summary>
    public IReadOnlyList<GzipAccessPoint> Points { get; }

    /// <summary>How many decompressed bytes the image holds.</summary>
    public long Length { get; }

    /// <summary>The index in <paramref name="path"/> if it is one of <paramref name="image"/>'s; otherwise null.</summary>
    public static GzipIndex? TryLoad(string path, IRandomAccessSource image)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var index = Read(file, image);
            if (index is null)
            {
                file.Dispose();
            }

            return index;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static GzipIndex? Read(SafeFileHandle file, IRandomAccessSource image)
    {
        var size = RandomAccess.GetLength(file);
        if (size < FooterSize)
        {
            return null;
        }

        Span<byte> footer = stackalloc byte[FooterSize];
        if (RandomAccess.Read(file, footer, size - FooterSize) != FooterSize
            || !footer[..8].SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(footer[8..]) != Version
            || BinaryPrimitives.ReadInt64LittleEndian(footer[12..]) != image.Length
            || !footer[20..28].SequenceEqual(Tail(image))
            || BinaryPrimitives.ReadInt64LittleEndian(footer[28..]) != Span)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(footer[36..]);
        var count = BinaryPrimitives.ReadInt64LittleEndian(footer[44..]);
        var tableOffset = BinaryPrimitives.ReadInt64LittleEndian(footer[52..]);
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(footer[60..]);
        if (count < 1 || tableOffset < 0 || tableOffset + (count * PointSize) != size - FooterSize)
        {
            return null;
        }

        var crc = 0u;
        var buffer = new byte[1 << 20];
        for (long at = 0; at < size - 4;)
        {
            var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - 4 - at)), at);
            if (read == 0)
            {
                return null;
            }

            crc = Zlib.Crc(crc, buffer.AsSpan(0, read));
            at += read;
        }

        if (crc != expectedCrc)
        {
            return null;
        }

        var table = new byte[count * PointSize];
        RandomAccess.Read(file, table, tableOffset);
        var points = new GzipAccessPoint[count];
        for (var i = 0; i < count; i++)
        {
            var entry = table.AsSpan(i * PointSize, PointSize);
            points[i] = new GzipAccessPoint(
                Out: BinaryPrimitives.ReadInt64LittleEndian(entry),
                In: BinaryPrimitives.ReadInt64LittleEndian(entry[8..]),
                Bits: entry[16],
                WindowOffset: BinaryPrimitives.ReadInt64LittleEndian(entry[17..]),
                WindowLength: BinaryPrimitives.ReadInt32LittleEndian(entry[25..]));
        }

        return new GzipIndex(file, points, length);
    }

    /// <summary>
    /// Inflates all of <paramref name="image"/> (every gzip member, checking each one's CRC and
    /// length) and writes its index to <paramref name="path"/>, through a temporary file renamed
    /// into place.
    /// </summary>
    /// <exception cref="InvalidDataException">Not gzip, damaged or truncated (the message says where).</exception>
    public static GzipIndex Build(IRandomAccessSource image, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Join(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var writer = new IndexWriter(file);
            var (points, length) = Inflate(image, writer, progress, cancellationToken);
            var tableOffset = writer.Position;
            var entry = new byte[PointSize];
            foreach (var point in points)
            {
                BinaryPrimitives.WriteInt64LittleEndian(entry, point.Out);
                BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(8), point.In);
                entry[16] = (byte)point.Bits;
                BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(17), point.WindowOffset);
                BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(25), point.WindowLength);
                writer.Write(entry);
            }

            var footer = new byte[FooterSize];
            Magic.CopyTo(footer);
            BinaryPrimitives.WriteInt32LittleEndian(footer.AsSpan(8), Version);
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(12), image.Length);
            Tail(image).CopyTo(footer.AsSpan(20));
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(28), Span);
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(36), length);
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(44), points.Count);
            BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(52), tableOffset);
            writer.Write(footer.AsSpan(0, FooterSize - 4));
            BinaryPrimitives.WriteUInt32LittleEndian(footer.AsSpan(FooterSize - 4), writer.Crc);
            writer.Write(footer.AsSpan(FooterSize - 4));
            RandomAccess.FlushToDisk(file);
            File.Move(temporary, path, overwrite: true);
            return new GzipIndex(file, [.. points], length);
        }
        catch
        {
            file.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    private static (List<GzipAccessPoint> Points, long Length) Inflate(
        IRandomAccessSource image, IndexWriter writer, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (image.Length < 2 || !IsGzipMember(image, 0))
        {
            throw new InvalidDataException("Not a gzip image: it does not start with a gzip header.");
        }

        var points = new List<GzipAccessPoint>();
        var strm = Zlib.NewInflater(Zlib.Gzip);
        var input = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(InputSize);
        var window = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(WindowSize);
        var ordered = new byte[WindowSize];
        try
        {
            long read = 0, written = 0, last = 0;
            int status;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (strm->AvailIn == 0)
                {
                    var count = image.Read(read, new Span<byte>(input, InputSize));
                    if (count == 0)
                    {
                        throw new InvalidDataException($"The gzip image is truncated: it ends at {read} bytes, inside its compressed data.");
                    }

                    strm->NextIn = input;
                    strm->AvailIn = (uint)count;
                    read += count;
                    progress?.Report(read);
                }

                if (strm->AvailOut == 0)
                {
                    strm->NextOut = window;
                    strm->AvailOut = WindowSize;
                }

                var before = strm->AvailOut;
                status = Zlib.Inflate(strm, Zlib.Block);
                written += before - strm->AvailOut;
                if (status is not (Zlib.Ok or Zlib.StreamEnd))
                {
                    throw new InvalidDataException($"The gzip image is damaged near byte {read - strm->AvailIn}: {Zlib.Message(strm, status)}.");
                }

                // At the end of a member's header or of a block that is not its last: a point, if
                // it is the first or a span has passed since the last one.
                if ((strm->DataType & 0xc0) == 0x80 && (points.Count == 0 || written - last >= Span))
                {
                    // The window rotates through the buffer: its oldest bytes follow the newest.
                    var left = (int)strm->AvailOut;
                    new ReadOnlySpan<byte>(window + WindowSize - left, left).CopyTo(ordered);
                    new ReadOnlySpan<byte>(window, WindowSize - left).CopyTo(ordered.AsSpan(left));
                    var (offset, length) = writer.WriteWindow(ordered);
                    points.Add(new GzipAccessPoint(written, read - strm->AvailIn, strm->DataType & 7, offset, length));
                    last = written;
                }

                if (status == Zlib.StreamEnd)
                {
                    var next = read - strm->AvailIn;
                    if (next < image.Length)
                    {
                        if (!IsGzipMember(image, next))
                        {
                            throw new InvalidDataException($"The gzip image has {image.Length - next} bytes after its last member that are not gzip.");
                        }

                        status = Zlib.InflateReset2(strm, Zlib.Gzip);
                    }
                }
            }
            while (status == Zlib.Ok);

            return (points, written);
        }
        finally
        {
            Zlib.Free(strm);
            System.Runtime.InteropServices.NativeMemory.Free(input);
            System.Runtime.InteropServices.NativeMemory.Free(window);
        }
    }

    private static bool IsGzipMember(IRandomAccessSource image, long offset)
    {
        Span<byte> magic = stackalloc byte[2];
        return image.Read(offset, magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>The image's last 8 bytes: the last member's CRC and length, which change with its contents.</summary>
    private static byte[] Tail(IRandomAccessSource image)
    {
        var tail = new byte[8];
        _ = image.Read(Math.Max(0, image.Length - 8), tail);
        return tail;
    }

    /// <summary>The window of <paramref name="point"/>, inflated from the index file.</summary>
    public byte[] Window(GzipAccessPoint point)
    {
        var deflated = new byte[point.WindowLength];
        if (RandomAccess.Read(_file, deflated, point.WindowOffset) != deflated.Length)
        {
            throw new InvalidDataException("The gzip index file is shorter than its table says.");
        }

        var window = new byte[WindowSize];
        using var inflater = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        inflater.ReadExactly(window);
        return window;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Writes the index file front to back, keeping the CRC of what it wrote.</summary>
    private sealed class IndexWriter(SafeFileHandle file)
    {
        public long Position { get; private set; }

        public uint Crc { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            RandomAccess.Write(file, bytes, Position);
            Crc = Zlib.Crc(Crc, bytes);
            Position += bytes.Length;
        }

        public (long Offset, int Length) WriteWindow(byte[] window)
        {
            using var deflated = new MemoryStream();
            using (var deflater = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflater.Write(window);
            }

            var offset = Position;
            Write(deflated.GetBuffer().AsSpan(0, (int)deflated.Length));
            return (offset, (int)deflated.Length);
        }
    }
}
