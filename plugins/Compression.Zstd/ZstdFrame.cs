namespace Apart.Compression.Zstd;

/// <summary>One zstd frame of an image: where it is, and how many bytes it decompresses to.</summary>
/// <param name="Offset">Where the frame starts in the image.</param>
/// <param name="Size">How many compressed bytes it takes.</param>
internal readonly record struct ZstdFrame(long Offset, int Size);
