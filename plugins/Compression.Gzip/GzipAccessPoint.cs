namespace Apart.Compression.Gzip;

/// <summary>
/// A place in a gzip image where inflating can start: a deflate block boundary, with the 32 KiB
/// of output before it (its window) kept in the index file.
/// </summary>
/// <param name="Out">Where in the decompressed bytes the point is.</param>
/// <param name="In">The compressed byte the next block starts in.</param>
/// <param name="Bits">How many bits of the byte before <paramref name="In"/> belong to the next block (0 to 7).</param>
/// <param name="WindowOffset">Where the window, deflated, is in the index file.</param>
/// <param name="WindowLength">How many bytes the deflated window takes there.</param>
internal readonly record struct GzipAccessPoint(long Out, long In, int Bits, long WindowOffset, int WindowLength);
