using System.Globalization;

namespace Apart.Protocol;

/// <summary>
/// Byte counts for people, as the core's messages spell them ("the device has … bytes (64 MiB)")
/// and as presenters show them beside those messages.
/// </summary>
public static class Bytes
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
