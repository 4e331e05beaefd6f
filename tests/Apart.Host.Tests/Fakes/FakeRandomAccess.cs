using Apart.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>
/// Random access for uncompressed images, as such images have it: the decompressed bytes are the
/// file's. What the test says about damage or a long index build is what it does.
/// </summary>
internal sealed class FakeRandomAccessCodec : IRandomAccessCodec
{
    /// <summary>The codec it claims to open; <c>uncompressed</c> by default.</summary>
    public string Name { get; set; } = "uncompressed";

    /// <summary>Thrown by <see cref="OpenAsync"/> (a damaged image: an <see cref="InvalidDataException"/>).</summary>
    public Exception? Fails { get; set; }

    /// <summary>Builds an index until cancelled.</summary>
    public bool Hangs { get; set; }

    public List<RandomAccessOptions> Opened { get; } = [];

    public TaskCompletionSource Indexing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool SawCancellation { get; private set; }

    public async ValueTask<IRandomAccessSource> OpenAsync(IRandomAccessSource compressed, RandomAccessOptions options, CancellationToken cancellationToken = default)
    {
        Opened.Add(options);
        if (Fails is { } failure)
        {
            throw failure;
        }

        if (Hangs)
        {
            Indexing.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }
        }

        return compressed;
    }
}

/// <summary>Reads a fake image in place: the device is the image's bytes; mounts with plain <c>mount -o ro</c>.</summary>
internal sealed class FakeImageReader : IImageReader
{
    /// <summary>Thrown by <see cref="OpenDevice"/>.</summary>
    public Exception? DeviceFails { get; set; }

    /// <summary>Thrown by <see cref="Mount"/>: this machine cannot mount the format.</summary>
    public NotSupportedException? CannotMount { get; set; }

    public List<string> Formats { get; } = [];

    public IRandomAccessSource OpenDevice(string format, IRandomAccessSource image)
    {
        Formats.Add(format);
        return DeviceFails is { } failure ? throw failure : image;
    }

    public CommandLine Mount(string format, string device, string mountPoint) =>
        CannotMount is { } refused ? throw refused : new CommandLine("mount", ["-o", "ro", device, mountPoint]);
}
