using System.Globalization;
using System.Text.RegularExpressions;

namespace Apart.Host.Jobs;

/// <summary>
/// The image file name form, <c>NAME-YYYY-MM-DDTHHMM.apt.VARIANT.EXTENSION</c> (docs/PROTOCOL.md §4):
/// the one place that writes and reads it.
/// </summary>
internal sealed partial record ImageName(string Name, DateTime LocalStart, string Variant, string Extension)
{
    /// <summary>The form of an image's file name, as messages describe it to people.</summary>
    public const string Form = "NAME-YYYY-MM-DDTHHMM.apt.VARIANT.COMPRESSION";

    /// <summary>The form of a disk image directory's name, as messages describe it to people.</summary>
    public const string DirectoryForm = "NAME-YYYY-MM-DDTHHMM-img";

    /// <summary>Appended to an image's name while it is being written.</summary>
    public const string InProgressSuffix = ".inprogress";

    private const string TimeFormat = "yyyy-MM-dd'T'HHmm";

    /// <summary>The file name.</summary>
    public string FileName => $"{Name}-{LocalStart.ToString(TimeFormat, CultureInfo.InvariantCulture)}.apt.{Variant}.{Extension}";

    /// <summary>The file name while the image is being written.</summary>
    public string InProgressFileName => FileName + InProgressSuffix;

    /// <summary>A disk image directory's name: <c>NAME-YYYY-MM-DDTHHMM-img</c> (the local time it started).</summary>
    public static string DirectoryName(string name, DateTime localStart) =>
        $"{name}-{localStart.ToString(TimeFormat, CultureInfo.InvariantCulture)}-img";

    /// <summary>Whether a name has the disk image directory's form (not while it is being written).</summary>
    public static bool IsDirectoryName(string name) => DirectoryPattern().IsMatch(name);

    /// <summary>Reads a file name of the image form; null for any other name.</summary>
    public static ImageName? Parse(string fileName)
    {
        var match = Pattern().Match(fileName);
        if (!match.Success
            || !DateTime.TryParseExact(match.Groups["time"].Value, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            return null;
        }

        return new ImageName(match.Groups["base"].Value, start, match.Groups["variant"].Value, match.Groups["extension"].Value);
    }

    /// <summary>
    /// Why a requested image name cannot be used, or null when it can. Names become one path
    /// component, so they cannot hold '/', NUL or line breaks, nor be '.' or '..'.
    /// </summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "The image name is empty.";
        }

        if (name.AsSpan().IndexOfAny('/', '\0') >= 0 || name.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            return "The image name cannot contain '/', NUL or line breaks.";
        }

        if (name is "." or "..")
        {
            return "The image name cannot be '.' or '..'.";
        }

        // The file name adds about 45 bytes to the name; most filesystems allow 255.
        return System.Text.Encoding.UTF8.GetByteCount(name) > 200 ? "The image name is longer than 200 bytes." : null;
    }

    [GeneratedRegex(@"^(?<base>.+)-(?<time>\d{4}-\d{2}-\d{2}T\d{4})\.apt\.(?<variant>[A-Za-z0-9_+]+)\.(?<extension>[A-Za-z0-9]+)$", RegexOptions.Singleline)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^.+-\d{4}-\d{2}-\d{2}T\d{4}-img$", RegexOptions.Singleline)]
    private static partial Regex DirectoryPattern();
}
