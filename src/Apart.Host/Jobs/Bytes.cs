using System.Globalization;

namespace Apart.Host.Jobs;

/// <summary>Byte counts for people.</summary>
internal static class Bytes
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>"1.5 GiB".</summary>
    public static string Human(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
