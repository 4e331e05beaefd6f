using Apart.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>
/// An imager made of coreutils: its commands are whatever the test sets (by default the image of
/// a device is the content of <see cref="Content"/>, read with cat), one format <c>fake</c>.
/// </summary>
internal sealed class FakeImager : IImager
{
    public const string Format = "fake";

    /// <summary>The file a clone's image is read from.</summary>
    public string Content { get; set; } = "/dev/null";

    public Func<DeviceExtent, CommandLine>? CloneWith { get; set; }

    public Func<DeviceExtent, CommandLine> RestoreWith { get; set; } = device => new CommandLine("dd", [$"of={device.Path}", "bs=64K", "status=none"]);

    public ImageCheck CheckWith { get; set; } = new ImageCheck.DeviceBytes();

    public List<string> Completed { get; } = [];

    public string FormatFor(string? fsType) => Format;

    public string? CannotRead(string format) => format == Format ? null : $"'{format}' is not fake";

    public ImagingCommand Clone(string format, DeviceExtent source) =>
        new(CloneWith?.Invoke(source) ?? new CommandLine("cat", [Content]), new NoProgress());

    public ImagingCommand Restore(string format, DeviceExtent destination) => new(RestoreWith(destination), new NoProgress());

    public ImageCheck Check(string format) => CheckWith;

    /// <summary>Set once an image's source size is first read.</summary>
    public TaskCompletionSource SourceSizeReading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes reading an image's source size wait until it is cancelled.</summary>
    public bool HoldSourceSize { get; set; }

    /// <summary>Whether a held reading of the source size was cancelled.</summary>
    public bool SourceSizeCancelled { get; private set; }

    public async ValueTask<long?> ReadSourceSizeAsync(string format, Stream image, long? length, CancellationToken cancellationToken = default)
    {
        SourceSizeReading.TrySetResult();
        if (HoldSourceSize)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SourceSizeCancelled = true;
                throw;
            }
        }

        return length;
    }

    public ValueTask CompleteRestoreAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default)
    {
        Completed.Add(device.Path);
        return ValueTask.CompletedTask;
    }

    /// <summary>What grows: the devices asked to, and the answer (null: grown).</summary>
    public List<DeviceExtent> Grown { get; } = [];

    public string? GrowAnswer { get; set; }

    public ValueTask<string?> GrowAsync(string format, DeviceExtent device, CancellationToken cancellationToken = default)
    {
        Grown.Add(device);
        return ValueTask.FromResult(GrowAnswer);
    }

    private sealed class NoProgress : IProgressParser
    {
        public IReadOnlyList<string> LastLines => [];

        public IReadOnlyList<ImagingProgress> Feed(ReadOnlySpan<char> text) => [];
    }
}
