using System.Globalization;
using Apart.Abstractions;
using Apart.Host.Native;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>An image file opened for reading, with what its name says: variant and codec.</summary>
internal sealed class ImageFile : IDisposable
{
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(30);

    private ImageFile(string path, ImageName name, ICompressor codec, SafeFileHandle handle, long length)
    {
        Path = path;
        Name = name;
        Codec = codec;
        Handle = handle;
        Length = length;
    }

    public string Path { get; }

    public ImageName Name { get; }

    public ICompressor Codec { get; }

    /// <summary>Read from offset 0 by the first program of a pipeline; its offset shows how far it got.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Bytes in the file.</summary>
    public long Length { get; }

    /// <summary>The size of the device the image was made from, where the clone could record it.</summary>
    public long? RecordedSourceSize =>
        long.TryParse(NativeFile.TryGetAttribute(Handle, ImageAttributes.SourceSize), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : null;

    /// <summary>
    /// Opens an image by path: it must be named like an image, exist as a regular file, and its
    /// codec and variant must be usable here. Throws <see cref="JobFailedException"/> otherwise.
    /// </summary>
    public static ImageFile Open(string path, JobServices services)
    {
        if (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new JobFailedException($"The image path {JobServices.Quote(path)} must be an absolute path.");
        }

        var name = ImageName.Parse(System.IO.Path.GetFileName(path)) ?? throw new JobFailedException(
            $"{JobServices.Quote(path)} is not named like an image (NAME-YYYY-MM-DDTHHMM.apt.VARIANT.COMPRESSION).");
        var codec = services.Codecs.ByExtension(name.Extension) ?? throw new JobFailedException(
            $"{JobServices.Quote(path)} uses an unknown compression, '{name.Extension}'.");
        if (!services.Codecs.IsAvailable(codec))
        {
            throw new JobFailedException($"{JobServices.Quote(path)} is compressed with {codec.Name}, whose program is not installed.");
        }

        if (name.Variant != services.Imager.RawVariant && !services.Imager.HasVariant(name.Variant))
        {
            throw new JobFailedException($"The image holds a {name.Variant} filesystem, and partclone.{name.Variant} is not installed.");
        }

        SafeFileHandle handle;
        try
        {
            // Non-blocking: opening a FIFO named like an image would otherwise wait for a writer forever.
            handle = NativeFile.Open(path, O_RDONLY | O_NONBLOCK);
        }
        catch (NativeIOException e)
        {
            throw new JobFailedException(e.ErrorNumber == ENOENT
                ? $"The image {JobServices.Quote(path)} does not exist."
                : $"The image {JobServices.Quote(path)} cannot be opened: {Errno.Describe(e.ErrorNumber)}.");
        }

        var st = NativeFile.Stat(handle);
        if ((st.st_mode & S_IFMT) != S_IFREG)
        {
            handle.Dispose();
            throw new JobFailedException($"{JobServices.Quote(path)} is not a regular file.");
        }

        NativeFile.ClearNonBlocking(handle); // the decompressor gets it as its standard input

        return new ImageFile(path, name, codec, handle, st.st_size);
    }

    /// <summary>
    /// The first bytes of the decompressed image. The decompressor reads its own descriptor
    /// (this file reopened through /proc), so <see cref="Handle"/> stays at offset 0.
    /// </summary>
    public async Task<byte[]> ReadHeadAsync(int length)
    {
        var head = new byte[length];
        if (Codec.Decompress is not { } decompress)
        {
            var read = RandomAccess.Read(Handle, head, 0);
            return head[..read];
        }

        using var input = NativeFile.Open($"/proc/self/fd/{NativeFile.Fd(Handle)}", O_RDONLY);
        using var output = Pipe.Create();
        var pipeline = Pipeline.Start([new Pipeline.Stage(decompress)], input, output.Write);
        output.CloseWrite();
        int total;
        using (var stream = new FileStream(output.DetachRead(), FileAccess.Read, bufferSize: 0))
        {
            total = await Task.Run(() => stream.ReadAtLeast(head, length, throwOnEndOfStream: false))
                .WaitAsync(HeaderTimeout).ConfigureAwait(false);
        }

        // Enough read (or none to come): stop the decompressor rather than decompress it all.
        pipeline.Kill();
        var result = await pipeline.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        if (total < length && !result.Succeeded && !result.Stages[0].Exit.BrokenPipe && result.Stages[0].Exit.Signal == 0)
        {
            throw new JobFailedException($"{Path} cannot be decompressed: {FailureExplainer.Explain(result)}");
        }

        return head[..total];
    }

    /// <summary>
    /// How large a device must be to take this image: the filesystem size from a partclone
    /// header; for raw images the recorded source size, or the length of an uncompressed one.
    /// Null when a raw image does not say. Throws when a partclone image's header is unreadable.
    /// </summary>
    public async Task<long?> RequiredDeviceSizeAsync(IImager imager)
    {
        if (Name.Variant == imager.RawVariant)
        {
            return RecordedSourceSize ?? (Codec.Decompress is null ? Length : null);
        }

        var head = await ReadHeadAsync(imager.HeaderLength).ConfigureAwait(false);
        return imager.ReadFilesystemSize(head) ?? throw new JobFailedException(
            $"{Path} is damaged or not a partclone image: its header cannot be read.");
    }

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
