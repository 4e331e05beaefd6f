using Apart.Abstractions;

namespace Sample.Imager;

/// <summary>
/// Images any device byte for byte with coreutils' dd: every filesystem gets the one format
/// <c>bytes</c>, an image is the device's bytes (checked by its length), and progress is dd's
/// own <c>status=progress</c> line. Nothing here knows partclone.
/// </summary>
public sealed class DdImager : IImager
{
    /// <summary>The one format: the device's bytes.</summary>
    public const string Format = "bytes";

    private const string Dd = "dd";

    public string FormatFor(string? fsType) => Format;

    public string? CannotRead(string format) =>
        format != Format ? $"'{format}' is not a format of the sample imager"
        : ProgramLocator.Find(Dd) is null ? "dd is not installed"
        : null;

    public ImagingCommand Clone(string format, DeviceExtent source) =>
        Run(format, source.Size, $"if={source.Path}", "iflag=fullblock");

    public ImagingCommand Restore(string format, DeviceExtent destination) =>
        Run(format, destination.Size, $"of={destination.Path}", "iflag=fullblock", "conv=fsync");

    public ImageCheck Check(string format) => new ImageCheck.DeviceBytes();

    public ValueTask<long?> ReadSourceSizeAsync(string format, Stream image, long? length, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(length);

    public ValueTask CompleteRestoreAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;

    public ValueTask<string?> GrowAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>("a byte-for-byte image has no filesystem the sample imager knows how to grow");

    private static ImagingCommand Run(string format, long total, params string[] arguments)
    {
        if (format != Format)
        {
            throw new ArgumentException($"'{format}' is not a format of the sample imager.", nameof(format));
        }

        return new ImagingCommand(new CommandLine(Dd, [.. arguments, "bs=1M", "status=progress"]), new DdProgressParser(total));
    }
}
