namespace Apart.Protocol;

/// <summary>Values a presenter sent, quoted back in a message.</summary>
public static class Printable
{
    private const int MaxQuotedLength = 4096;

    /// <summary>
    /// A value fit to quote back in an error message: whole for any real path (up to PATH_MAX),
    /// cut short only for hostile lengths.
    /// </summary>
    public static string Bounded(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= MaxQuotedLength ? value : value[..MaxQuotedLength] + "…";
    }
}
