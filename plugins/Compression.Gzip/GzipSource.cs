using System.Runtime.InteropServices;
using Apart.Abstractions;

namespace Apart.Compression.Gzip;

/// <summary>
/// The decompressed bytes of a gzip image, in chunks from one access point to the next: a chunk
/// is inflated from its point's window, across gzip members when one ends inside it.
/// </summary>
internal sealed unsafe class GzipSource : ChunkedSource
{
    private const int InputSize = 64 << 10;
    private readonly IRandomAccessSource _compressed;
    private readonly GzipIndex _index;

    public GzipSource(IRandomAccessSource compressed, GzipIndex index, long cacheBytes)
        : base([.. index.Points.Select(point => point.Out)], index.Length, cacheBytes)
    {
        _compressed = compressed;
        _index = index;
    }

    protected override byte[] DecodeChunk(int index)
    {
        var point = _index.Points[index];
        var chunk = new byte[ChunkLength(index)];
        var strm = Zlib.NewInflater(Zlib.Raw);
        var input = (byte*)NativeMemory.Alloc(InputSize);
        try
        {
            var next = point.In;
            if (point.Bits > 0)
            {
                Span<byte> partial = stackalloc byte[1];
                if (_compressed.Read(point.In - 1, partial) != 1)
                {
                    throw Truncated(point.In - 1);
                }

                _ = Zlib.InflatePrime(strm, point.Bits, partial[0] >> (8 - point.Bits));
            }

            fixed (byte* window = _index.Window(point))
            {
                _ = Zlib.InflateSetDictionary(strm, window, GzipIndex.WindowSize);
            }

            fixed (byte* output = chunk)
            {
                strm->NextOut = output;
                strm->AvailOut = (uint)chunk.Length;
                while (strm->AvailOut > 0)
                {
                    Fill(strm, input, ref next);
                    var status = Zlib.Inflate(strm, Zlib.NoFlush);
                    if (status == Zlib.StreamEnd)
                    {
                        SkipTrailerAndHeader(strm, input, ref next);
                    }
                    else if (status != Zlib.Ok)
                    {
                        throw new InvalidDataException($"The gzip image is damaged near byte {next - strm->AvailIn}: {Zlib.Message(strm, status)}.");
                    }
                }
            }

            return chunk;
        }
        finally
        {
            Zlib.Free(strm);
            NativeMemory.Free(input);
        }
    }

    /// <summary>Gives inflate more input when it has none.</summary>
    private void Fill(Zlib.ZStream* strm, byte* input, ref long next)
    {
        if (strm->AvailIn > 0)
        {
            return;
        }

        var count = _compressed.Read(next, new Span<byte>(input, InputSize));
        if (count == 0)
        {
            throw Truncated(next);
        }

        strm->NextIn = input;
        strm->AvailIn = (uint)count;
        next += count;
    }

    /// <summary>After a member's deflate data: past its 8-byte trailer and the next member's header, inflating raw again.</summary>
    private void SkipTrailerAndHeader(Zlib.ZStream* strm, byte* input, ref long next)
    {
        if (strm->AvailOut == 0)
        {
            return;
        }

        for (var trailer = 8; trailer > 0;)
        {
            Fill(strm, input, ref next);
            var skipped = (int)Math.Min(trailer, strm->AvailIn);
            strm->NextIn += skipped;
            strm->AvailIn -= (uint)skipped;
            trailer -= skipped;
        }

        _ = Zlib.InflateReset2(strm, Zlib.Gzip);
        int status;
        do
        {
            Fill(strm, input, ref next);
            status = Zlib.Inflate(strm, Zlib.Block);
        }
        while (status == Zlib.Ok && (strm->DataType & 0x80) == 0);

        if (status != Zlib.Ok)
        {
            throw new InvalidDataException($"The gzip image is damaged near byte {next - strm->AvailIn}: a member header: {Zlib.Message(strm, status)}.");
        }

        _ = Zlib.InflateReset2(strm, Zlib.Raw);
    }

    private static InvalidDataException Truncated(long at) =>
        new($"The gzip image is truncated: it ends at {at} bytes, before the data its index describes.");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _index.Dispose();
            _compressed.Dispose();
        }
    }
}
