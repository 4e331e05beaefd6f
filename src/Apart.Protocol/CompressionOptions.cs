namespace Apart.Protocol;

/// <summary>How <c>compression_options</c> lists the codecs (docs/PROTOCOL.md §3), and which one a clone gets unasked.</summary>
public static class CompressionOptions
{
    /// <summary>The codec a <c>clone</c> request without <c>compression</c> gets.</summary>
    public const string Default = "gz";

    /// <summary>Listed first, in this order, when installed; other codecs follow by name.</summary>
    public static IReadOnlyList<string> Order { get; } = [Default, "uncompressed", "zst", "lz4"];

    /// <summary>Where a codec goes in the list: its place in <see cref="Order"/>, or after all of them.</summary>
    public static int Rank(string name)
    {
        for (var i = 0; i < Order.Count; i++)
        {
            if (Order[i] == name)
            {
                return i;
            }
        }

        return Order.Count;
    }
}
