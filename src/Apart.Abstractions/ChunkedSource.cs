namespace Apart.Abstractions;

/// <summary>
/// Decompressed bytes made of chunks that decode one at a time, each without the ones before it
/// (a gzip stretch between two access points, a zstd frame, an lz4 block): what a codec's
/// <see cref="IRandomAccessCodec"/> returns. It finds the chunks a read needs, has them decoded and
/// keeps the most recently used ones, never more than a ceiling of bytes.
/// </summary>
/// <remarks>
/// Threads reading the same chunk at once wait for one decoding of it. Beyond the ceiling, each
/// thread holds at most the chunk it is copying from, so memory stays within the ceiling plus one
/// chunk per reading thread. A chunk that cannot be decoded is not kept: every read of it fails.
/// </remarks>
public abstract class ChunkedSource : IRandomAccessSource
{
    private readonly long[] _starts;
    private readonly long _cacheBytes;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, LinkedListNode<KeyValuePair<int, byte[]>>> _cached = [];
    private readonly LinkedList<KeyValuePair<int, byte[]>> _recentFirst = new();
    private readonly Dictionary<int, Task<byte[]>> _decoding = [];
    private long _cachedBytes;
    private bool _disposed;

    /// <summary>Describes the chunks.</summary>
    /// <param name="chunkStarts">Where each chunk starts in the decompressed bytes: ascending, the first at 0.</param>
    /// <param name="length">How many decompressed bytes there are; the last chunk ends there.</param>
    /// <param name="cacheBytes">The most decoded bytes kept at once.</param>
    protected ChunkedSource(IReadOnlyList<long> chunkStarts, long length, long cacheBytes)
    {
        ArgumentNullException.ThrowIfNull(chunkStarts);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheBytes);
        _starts = [.. chunkStarts];
        for (var i = 0; i < _starts.Length; i++)
        {
            if ((i == 0 && _starts[0] != 0) || (i > 0 && _starts[i] < _starts[i - 1]) || _starts[i] > length)
            {
                throw new ArgumentException("Chunks start at 0 and in ascending order, within the length.", nameof(chunkStarts));
            }
        }

        if (_starts.Length == 0 && length != 0)
        {
            throw new ArgumentException("Bytes need chunks.", nameof(chunkStarts));
        }

        Length = length;
        _cacheBytes = cacheBytes;
    }

    /// <inheritdoc/>
    public long Length { get; }

    /// <summary>How many chunks there are.</summary>
    public int ChunkCount => _starts.Length;

    /// <summary>How many decoded bytes are kept right now: never more than the ceiling.</summary>
    public long CachedBytes
    {
        get
        {
            lock (_lock)
            {
                return _cachedBytes;
            }
        }
    }

    /// <summary>Where chunk <paramref name="index"/> starts in the decompressed bytes.</summary>
    public long ChunkStart(int index) => _starts[index];

    /// <summary>How many decompressed bytes chunk <paramref name="index"/> holds.</summary>
    public long ChunkLength(int index) => (index + 1 < _starts.Length ? _starts[index + 1] : Length) - _starts[index];

    /// <summary>
    /// Decodes chunk <paramref name="index"/>: exactly <see cref="ChunkLength"/> bytes. Called from
    /// any thread, possibly several at once for different chunks.
    /// </summary>
    /// <exception cref="InvalidDataException">The chunk is damaged.</exception>
    protected abstract byte[] DecodeChunk(int index);

    /// <inheritdoc/>
    public int Read(long offset, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = 0;
        while (total < buffer.Length && offset < Length)
        {
            var index = Array.BinarySearch(_starts, offset);
            index = index < 0 ? ~index - 1 : index;
            // Empty chunks share their start with the next: the bytes are in the last one starting here.
            while (index + 1 < _starts.Length && _starts[index + 1] <= offset)
            {
                index++;
            }

            var chunk = Chunk(index);
            var within = (int)(offset - _starts[index]);
            var count = Math.Min(buffer.Length - total, chunk.Length - within);
            chunk.AsSpan(within, count).CopyTo(buffer[total..]);
            total += count;
            offset += count;
        }

        return total;
    }

    private byte[] Chunk(int index)
    {
        TaskCompletionSource<byte[]>? mine = null;
        Task<byte[]> decoding;
        lock (_lock)
        {
            if (_cached.TryGetValue(index, out var node))
            {
                _recentFirst.Remove(node);
                _recentFirst.AddFirst(node);
                return node.Value.Value;
            }

            if (!_decoding.TryGetValue(index, out decoding!))
            {
                mine = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                decoding = mine.Task;
                _decoding.Add(index, decoding);
            }
        }

        if (mine is null)
        {
            return decoding.GetAwaiter().GetResult();
        }

        byte[] bytes;
        try
        {
            bytes = DecodeChunk(index);
            if (bytes.Length != ChunkLength(index))
            {
                throw new InvalidDataException($"Chunk {index} at {_starts[index]} decoded to {bytes.Length} bytes, not {ChunkLength(index)}.");
            }
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                _decoding.Remove(index);
            }

            mine.SetException(e);
            throw;
        }

        lock (_lock)
        {
            _decoding.Remove(index);
            if (!_disposed && bytes.Length <= _cacheBytes)
            {
                _cached.Add(index, _recentFirst.AddFirst(KeyValuePair.Create(index, bytes)));
                _cachedBytes += bytes.Length;
                while (_cachedBytes > _cacheBytes)
                {
                    var oldest = _recentFirst.Last!;
                    _recentFirst.RemoveLast();
                    _cached.Remove(oldest.Value.Key);
                    _cachedBytes -= oldest.Value.Value.Length;
                }
            }
        }

        mine.SetResult(bytes);
        return bytes;
    }

    /// <summary>Releases the decoded chunks and what the codec holds (<see cref="Dispose(bool)"/>).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the decoded chunks; a codec releases its compressed source and native state too.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        lock (_lock)
        {
            _disposed = true;
            _cached.Clear();
            _recentFirst.Clear();
            _cachedBytes = 0;
        }
    }
}
