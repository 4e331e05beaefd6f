using System.Globalization;
using Apart.Abstractions;
using Apart.Host.Native;
using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Jobs;

/// <summary>
/// An image opened for reading, with its format and codec: an Apart image file (its name says
/// them), or a partition image of the disk imaging plugin's format, in one file or in pieces read
/// in order (the plugin reads them).
/// </summary>
internal sealed class ImageFile : IDisposable
{
    // Reading an image's first bytes decompresses only those; this bounds a decompressor that hangs.
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private ImageFile(string path, string format, ICompressor codec, SafeFileHandle handle, long length, DiskImagePart? piecesOf, CommandLine? concatenate)
    {
        Path = path;
        Format = format;
        Codec = codec;
        Handle = handle;
        Length = length;
        PiecesOf = piecesOf;
        Concatenate = concatenate;
    }

    public string Path { get; }

    /// <summary>The imager's format.</summary>
    public string Format { get; }

    public ICompressor Codec { get; }

    /// <summary>
    /// The (first) file, read from offset 0 by the first program of a pipeline when the image is
    /// one file; its offset shows how far it got.
    /// </summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Bytes in the (first) file.</summary>
    public long Length { get; }

    /// <summary>A partition image of the disk imaging plugin's format: the partition, with its pieces.</summary>
    public DiskImagePart? PiecesOf { get; }

    /// <summary>
    /// For an image in more than one piece, the program that writes them in order (the first stage
    /// of a pipeline, reading nothing); null for an image in one file, read through <see cref="Handle"/>.
    /// </summary>
    public CommandLine? Concatenate { get; }

    /// <summary>Every file of the image.</summary>
    public IReadOnlyList<string> Files => PiecesOf?.Pieces ?? [Path];

    /// <summary>The size of the device the image was made from, where the clone could record it.</summary>
    public long? RecordedSourceSize =>
        long.TryParse(NativeFile.TryGetAttribute(Handle, ImageAttributes.SourceSize), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : null;

    /// <summary>
    /// Opens an image by path: an Apart image's file, or the first piece of a partition image of
    /// the disk imaging plugin's format. It must exist as a regular file, and its codec and format
    /// must be usable here. Throws <see cref="JobFailedException"/> otherwise.
    /// </summary>
    public static ImageFile Open(string path, JobServices services)
    {
        if (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new JobFailedException($"The image path {JobServices.Quote(path)} must be an absolute path.");
        }

        var (format, extension, piecesOf) = Identify(path, services);
        var codec = services.Codecs.ByExtension(extension) ?? throw new JobFailedException(
            $"{JobServices.Quote(path)} uses an unknown compression, '{extension}'.");
        if (!services.Codecs.IsAvailable(codec))
        {
            throw new JobFailedException($"{JobServices.Quote(path)} is compressed with {codec.Name}, whose program is not installed.");
        }

        if (services.Imager.CannotRead(format) is { } unreadable)
        {
            throw new JobFailedException($"{JobServices.Quote(path)} holds a {format} image, which this machine cannot read: {unreadable}.");
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
        var concatenate = piecesOf is { Pieces.Count: > 1 } ? services.DiskImager.ReadPieces(piecesOf) : null;
        return new ImageFile(path, format, codec, handle, st.st_size, piecesOf, concatenate);
    }

    /// <summary>
    /// Checks a partition image's pieces before they are used (quickly: there, and of their recorded
    /// sizes; with <paramref name="contents"/>, their recorded checksums too). Whether checksums
    /// were recorded (and, with <paramref name="contents"/>, checked). An Apart image file has none.
    /// </summary>
    public async Task<bool> CheckPiecesAsync(JobServices services, bool contents, CancellationToken cancellationToken)
    {
        if (PiecesOf is not { } part)
        {
            return false;
        }

        var check = await services.DiskImager.CheckPiecesAsync(
            new DiskImage(System.IO.Path.GetDirectoryName(Path)!, null, null, 0, [part]), contents, cancellationToken).ConfigureAwait(false);
        return check.Problem is { } problem
            ? throw new JobFailedException($"The image {Path} cannot be used: {problem}.")
            : check.Recorded;
    }

    // What the path names: an Apart image, or a partition image of the disk format.
    private static (string Format, string Extension, DiskImagePart? PiecesOf) Identify(string path, JobServices services)
    {
        if (ImageName.Parse(System.IO.Path.GetFileName(path)) is { } name)
        {
            return (name.Variant, name.Extension, null);
        }

        DiskImagePart? part;
        try
        {
            part = services.DiskImagerIfAny?.ReadPartition(path);
        }
        catch (InvalidDataException e)
        {
            throw new JobFailedException($"{JobServices.Quote(path)} cannot be read: {e.Message}.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new JobFailedException($"The image {JobServices.Quote(path)} does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JobFailedException($"The image {JobServices.Quote(path)} cannot be read: {e.Message}");
        }

        if (part is not { Format: { } format, CodecExtension: { } extension } || part.Pieces.Count == 0)
        {
            throw new JobFailedException($"{JobServices.Quote(path)} is not named like an image ({ImageName.Form}, or a partition image's first piece).");
        }

        return part.Pieces[0] == path
            ? (format, extension, part)
            : throw new JobFailedException($"{JobServices.Quote(path)} is one piece of a partition image: name its first piece, {part.Pieces[0]}.");
    }

    /// <summary>
    /// The size of the device the image was made from: what the image itself records (the
    /// imager reads it from the decompressed image's start), else what the clone recorded beside
    /// it; null when neither says. Throws <see cref="JobFailedException"/> when the image's start
    /// is damaged or cannot be decompressed.
    /// </summary>
    public async Task<long?> SourceSizeAsync(IImager imager, CancellationToken cancellationToken)
    {
        var knownLength = Codec.Decompress is null ? Length : (long?)null;
        var recorded = await ReadHeadAsync(
            head => imager.ReadSourceSizeAsync(Format, head, knownLength, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return recorded ?? RecordedSourceSize;
    }

    /// <summary>
    /// Lets <paramref name="read"/> read the decompressed image from its start, as far as it
    /// needs. The decompressor (if any) reads its own descriptor, this file reopened through
    /// /proc, so <see cref="Handle"/> stays at offset 0; once the reader is done it is stopped
    /// rather than left to decompress the rest.
    /// </summary>
    private async Task<T> ReadHeadAsync<T>(Func<Stream, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        using var input = NativeFile.Open($"/proc/self/fd/{NativeFile.Fd(Handle)}", O_RDONLY);
        if (Codec.Decompress is not { } decompress)
        {
            using var file = new FileStream(new SafeFileHandle(input.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, bufferSize: 0);
            return await ReadAsync(read, file).ConfigureAwait(false);
        }

        using var output = Pipe.Create();
        var pipeline = Pipeline.Start([new Pipeline.Stage(decompress)], input, output.Write);
        output.CloseWrite();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HeadTimeout);

        // A stopped decompressor ends the pipe, which ends any read of it: nothing can hang here.
        using var stopOnCancel = timeout.Token.Register(pipeline.Kill);
        T answer;
        Exception? unreadable = null;
        using (var stream = new FileStream(output.DetachRead(), FileAccess.Read, bufferSize: 0))
        {
            try
            {
                answer = await ReadAsync(read, stream).ConfigureAwait(false);
            }
            catch (JobFailedException e)
            {
                answer = default!;
                unreadable = e;
            }
        }

        pipeline.Kill();
        var result = await pipeline.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var decompressor = result.Stages[0].Exit;
        if (!decompressor.Succeeded && !decompressor.BrokenPipe && decompressor.Signal == 0)
        {
            // It failed on its own, before we stopped it: that explains a short or odd head.
            throw new JobFailedException($"{Path} cannot be decompressed: {FailureExplainer.Explain(result)}");
        }

        if (timeout.IsCancellationRequested)
        {
            throw new JobFailedException($"{Path} cannot be read: {decompress.Program} gave nothing for {HeadTimeout.TotalSeconds:0} s.");
        }

        return unreadable is null ? answer : throw unreadable;
    }

    private async Task<T> ReadAsync<T>(Func<Stream, ValueTask<T>> read, Stream head)
    {
        try
        {
            return await read(head).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new JobFailedException($"{Path} cannot be read: {e.Message}");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
