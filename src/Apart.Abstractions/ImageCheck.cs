namespace Apart.Abstractions;

/// <summary>How the host checks an image of some format (<c>verify</c>).</summary>
public abstract record ImageCheck
{
    private ImageCheck()
    {
    }

    /// <summary>A program reads the decompressed image on standard input and exits non-zero when it is damaged.</summary>
    public sealed record Program(ImagingCommand Command) : ImageCheck;

    /// <summary>
    /// The image is the device's bytes and nothing more: it is whole when it decompresses
    /// completely (each codec checks its own checksums) to the size of the device it was made from.
    /// </summary>
    public sealed record DeviceBytes : ImageCheck;
}
