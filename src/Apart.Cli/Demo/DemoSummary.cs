using System.Globalization;
using Apart.Protocol;

namespace Apart.Cli.Demo;

/// <summary>What the demo measured, and the few lines that tell it.</summary>
/// <param name="FilesystemSize">The device's size in bytes.</param>
/// <param name="UsedBytes">Bytes in use on the filesystem: what partclone reads.</param>
/// <param name="Files">Regular files compared.</param>
/// <param name="Entries">Files, directories and symlinks compared.</param>
/// <param name="ImagePath">The image the clone wrote.</param>
/// <param name="ImageSize">Its size in bytes.</param>
/// <param name="Compression">The codec.</param>
/// <param name="CloneTime">How long the clone took.</param>
/// <param name="VerifyTime">How long the verify took.</param>
/// <param name="RestoreTime">How long the restore took.</param>
internal sealed record DemoSummary(
    long FilesystemSize,
    long UsedBytes,
    int Files,
    int Entries,
    string ImagePath,
    long ImageSize,
    string Compression,
    TimeSpan CloneTime,
    TimeSpan VerifyTime,
    TimeSpan RestoreTime)
{
    /// <summary>The summary's lines, label and value.</summary>
    public IReadOnlyList<(string Label, string Value)> Lines() =>
    [
        ("Filesystem", $"ext4, {Bytes.Human(FilesystemSize)}, {Bytes.Human(UsedBytes)} in use"),
        ("Image", $"{ImagePath} ({Bytes.Human(ImageSize)})"),
        ("Compression", $"{Compression}: {Ratio(UsedBytes, ImageSize)} (data in use : image)"),
        ("Clone", $"{Seconds(CloneTime)}, {Speed(UsedBytes, CloneTime)}"),
        ("Verify", $"{Seconds(VerifyTime)}, {Speed(UsedBytes, VerifyTime)}"),
        ("Restore", $"{Seconds(RestoreTime)}, {Speed(UsedBytes, RestoreTime)}"),
        ("Files", $"{Files} files ({Entries} entries with directories and links) identical in content, size and mode"),
    ];

    /// <summary><c>2.8:1</c>.</summary>
    public static string Ratio(long original, long compressed) =>
        compressed <= 0 ? "n/a" : ((double)original / compressed).ToString("0.0", CultureInfo.InvariantCulture) + ":1";

    /// <summary><c>12.3 MiB/s</c>.</summary>
    public static string Speed(long bytes, TimeSpan took) =>
        took <= TimeSpan.Zero ? "n/a" : Bytes.Human((long)(bytes / took.TotalSeconds)) + "/s";

    /// <summary><c>2.1 s</c>.</summary>
    public static string Seconds(TimeSpan took) => took.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
