namespace Apart.Compression.Lz4;

/// <summary>One block of an lz4 frame, as its header describes it.</summary>
/// <param name="Offset">Where the block's data starts in the image (after its 4-byte size).</param>
/// <param name="Size">How many bytes of data it takes.</param>
/// <param name="Stored">Its data is the decompressed bytes themselves (lz4 stores what does not compress).</param>
/// <param name="Checksummed">Its data is followed by its xxHash32.</param>
/// <param name="MaxSize">The frame's block size: what every block but the frame's last decompresses to.</param>
/// <param name="LastOfFrame">The frame's last block, which may hold less.</param>
internal readonly record struct Lz4Block(long Offset, int Size, bool Stored, bool Checksummed, int MaxSize, bool LastOfFrame);
