using System.Runtime.InteropServices;

namespace Apart.Compression.Gzip;

/// <summary>
/// The parts of the system's zlib (<c>libz.so.1</c>) that random access needs and .NET's own
/// deflate streams do not offer: stopping at block boundaries, priming bits, setting a window.
/// </summary>
internal static unsafe partial class Zlib
{
    private const string Library = "libz.so.1";

    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int NeedDict = 2;
    public const int BufError = -5;
    public const int NoFlush = 0;
    public const int Block = 5;

    /// <summary>Window bits for raw deflate data with a 32 KiB window.</summary>
    public const int Raw = -15;

    /// <summary>Window bits for a gzip member (header, deflate data, trailer).</summary>
    public const int Gzip = 15 + 16;

    /// <summary>zlib's <c>z_stream</c> on 64-bit Linux (112 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public byte* Msg;
        public nint State;
        public nint ZAlloc;
        public nint ZFree;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [LibraryImport(Library, EntryPoint = "zlibVersion")]
    private static partial byte* Version();

    [LibraryImport(Library, EntryPoint = "inflateInit2_")]
    private static partial int InflateInit2(ZStream* strm, int windowBits, byte* version, int streamSize);

    [LibraryImport(Library, EntryPoint = "inflate")]
    public static partial int Inflate(ZStream* strm, int flush);

    [LibraryImport(Library, EntryPoint = "inflateEnd")]
    public static partial int InflateEnd(ZStream* strm);

    [LibraryImport(Library, EntryPoint = "inflateReset2")]
    public static partial int InflateReset2(ZStream* strm, int windowBits);

    [LibraryImport(Library, EntryPoint = "inflatePrime")]
    public static partial int InflatePrime(ZStream* strm, int bits, int value);

    [LibraryImport(Library, EntryPoint = "inflateSetDictionary")]
    public static partial int InflateSetDictionary(ZStream* strm, byte* dictionary, uint length);

    [LibraryImport(Library, EntryPoint = "crc32")]
    private static partial nuint Crc32(nuint crc, byte* buffer, uint length);

    /// <summary>A zeroed z_stream in native memory (zlib keeps a pointer to it), inflating with <paramref name="windowBits"/>.</summary>
    public static ZStream* NewInflater(int windowBits)
    {
        var strm = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        var status = InflateInit2(strm, windowBits, Version(), sizeof(ZStream));
        if (status != Ok)
        {
            NativeMemory.Free(strm);
            throw new InvalidOperationException($"zlib's inflateInit2 failed ({status}).");
        }

        return strm;
    }

    /// <summary>Ends and frees a z_stream from <see cref="NewInflater"/>.</summary>
    public static void Free(ZStream* strm)
    {
        _ = InflateEnd(strm);
        NativeMemory.Free(strm);
    }

    /// <summary>zlib's message for the last error of <paramref name="strm"/>, or the status.</summary>
    public static string Message(ZStream* strm, int status) =>
        strm->Msg is null ? $"zlib status {status}" : Marshal.PtrToStringUTF8((nint)strm->Msg) ?? $"zlib status {status}";

    /// <summary>The CRC-32 of <paramref name="bytes"/> continuing <paramref name="crc"/>.</summary>
    public static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            return (uint)Crc32(crc, p, (uint)bytes.Length);
        }
    }
}
