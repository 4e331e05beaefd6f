using System.Runtime.InteropServices;

namespace Apart.Compression.Zstd;

/// <summary>The parts of the system's libzstd (<c>libzstd.so.1</c>) that decode one frame at a time.</summary>
internal static unsafe partial class Zstd
{
    private const string Library = "libzstd.so.1";

    /// <summary><c>ZSTD_CONTENTSIZE_UNKNOWN</c>: the frame's header does not say its size.</summary>
    public const ulong ContentSizeUnknown = ulong.MaxValue;

    /// <summary><c>ZSTD_CONTENTSIZE_ERROR</c>: not a frame header.</summary>
    public const ulong ContentSizeError = ulong.MaxValue - 1;

    private const int WindowLogMax = 100;

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    private static partial nint CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    private static partial nuint FreeDCtx(nint dctx);

    [LibraryImport(Library, EntryPoint = "ZSTD_DCtx_setParameter")]
    private static partial nuint SetParameter(nint dctx, int parameter, int value);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    private static partial nuint DecompressDCtx(nint dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_getFrameContentSize")]
    private static partial ulong GetFrameContentSize(byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressBound")]
    private static partial ulong DecompressBound(byte* src, nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    private static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    private static partial byte* ErrorName(nuint code);

    /// <summary>The decompressed size a frame's header states, <see cref="ContentSizeUnknown"/> or <see cref="ContentSizeError"/>.</summary>
    public static ulong ContentSize(ReadOnlySpan<byte> header)
    {
        fixed (byte* p = header)
        {
            return GetFrameContentSize(p, (nuint)header.Length);
        }
    }

    /// <summary>The most bytes <paramref name="frame"/> (whole) can decompress to.</summary>
    public static ulong Bound(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            return DecompressBound(p, (nuint)frame.Length);
        }
    }

    /// <summary>Decompresses one whole frame into <paramref name="output"/>; how many bytes it held.</summary>
    /// <exception cref="InvalidDataException">The frame is damaged, or holds more than <paramref name="output"/>.</exception>
    public static int Decompress(ReadOnlySpan<byte> frame, Span<byte> output)
    {
        var dctx = CreateDCtx();
        if (dctx == 0)
        {
            throw new InvalidOperationException("libzstd could not make a decompression context.");
        }

        try
        {
            // Images made with --long=31 have windows up to 2 GiB; allow them, as `zstd -d --long=31` does.
            _ = SetParameter(dctx, WindowLogMax, 31);
            fixed (byte* src = frame)
            fixed (byte* dst = output)
            {
                var result = DecompressDCtx(dctx, dst, (nuint)output.Length, src, (nuint)frame.Length);
                return IsError(result) != 0
                    ? throw new InvalidDataException(Marshal.PtrToStringUTF8((nint)ErrorName(result)) ?? "zstd error")
                    : (int)result;
            }
        }
        finally
        {
            _ = FreeDCtx(dctx);
        }
    }
}
