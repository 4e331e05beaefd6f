using System.ComponentModel;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary>The image the commands that open one take: a file, a first piece, or an image directory and its partition.</summary>
internal abstract class ImageSourceSettings : JsonOutputSettings
{
    /// <summary>The image.</summary>
    [CommandArgument(0, "<IMAGE>")]
    [Description("An image made by 'apart clone', the first piece of a Clonezilla partition image (….ptcl-img.gz.aa), or an image directory (with --part)")]
    public string Image { get; init; } = "";

    /// <summary>With an image directory: which partition.</summary>
    [CommandOption("-p|--part <NAME>")]
    [Description("With an image directory: the partition to open, by its name in the image (sda1)")]
    public string? Part { get; init; }

    /// <summary>The request for this image, paths made absolute.</summary>
    public Protocol.MountImageRequest Request(string? mountPoint = null) =>
        new(Absolute(Image), Part, mountPoint is null ? null : Absolute(mountPoint));

    /// <summary>A path from the command line, absolute, without a trailing slash.</summary>
    public static string Absolute(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
