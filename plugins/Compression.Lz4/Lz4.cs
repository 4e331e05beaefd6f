using System.Runtime.InteropServices;

namespace Apart.Compression.Lz4;

/// <summary>The one function of the system's liblz4 (<c>liblz4.so.1</c>) random access needs: decoding a block.</summary>
internal static unsafe partial class Lz4
{
    [LibraryImport("liblz4.so.1", EntryPoint = "LZ4_decompress_safe")]
    private static partial int DecompressSafe(byte* src, byte* dst, int compressedSize, int dstCapacity);

    /// <summary>Decodes one independent block into <paramref name="output"/>; how many bytes it held, negative if damaged.</summary>
    public static int Decompress(ReadOnlySpan<byte> block, Span<byte> output)
    {
        fixed (byte* src = block)
        fixed (byte* dst = output)
        {
            return DecompressSafe(src, dst, block.Length, output.Length);
        }
    }
}
