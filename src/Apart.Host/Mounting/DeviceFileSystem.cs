using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Apart.Abstractions;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace Apart.Host.Mounting;

/// <summary>
/// The filesystem a <see cref="FuseServer"/> serves: a root directory holding one read-only
/// regular file, <see cref="FileName"/>, whose bytes are the source's. It answers the kernel's
/// requests one at a time, from the request's bytes into a reply buffer, and keeps no state per
/// request: several workers may answer at once.
/// </summary>
internal sealed class DeviceFileSystem(IRandomAccessSource source, ILogger logger)
{
    /// <summary>The one file's name.</summary>
    public const string FileName = "device";

    private const ulong FileId = 2;
    private const uint DirectoryType = 4; // DT_DIR
    private const uint FileType = 8; // DT_REG
    private const uint BlockSize = 4096;

    // Nothing here ever changes: the kernel may cache names and attributes for as long as it likes.
    private const ulong CacheSeconds = 24 * 60 * 60;

    private static readonly byte[] FileNameBytes = Encoding.ASCII.GetBytes(FileName);
    private static readonly int HeaderSize = Unsafe.SizeOf<FuseOutHeader>();

    private readonly ulong _created = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);

    /// <summary>The most data one READ may ask for, as negotiated: the reply buffer holds a header and this.</summary>
    public int MaxRead { get; init; } = 1 << 20;

    /// <summary>
    /// Answers one request: its data into <paramref name="payload"/> (at most <see cref="MaxRead"/>
    /// bytes), its header into <paramref name="header"/> (whose length counts both). False when
    /// the kernel expects no reply (FORGET, BATCH_FORGET, INTERRUPT).
    /// </summary>
    public bool Answer(ReadOnlySpan<byte> request, Span<byte> payload, out FuseOutHeader header)
    {
        var asked = MemoryMarshal.Read<FuseInHeader>(request);
        var body = request[Unsafe.SizeOf<FuseInHeader>()..(int)Math.Min(asked.Length, (uint)request.Length)];
        var (error, length) = asked.Opcode switch
        {
            FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.Interrupt => (0, -1),
            FuseOpcode.Init => (0, Init(body, payload)),
            FuseOpcode.Lookup => Lookup(asked.NodeId, body, payload),
            FuseOpcode.GetAttr => GetAttr(asked.NodeId, payload),
            FuseOpcode.Open => Open(asked.NodeId, body, payload),
            FuseOpcode.OpenDir => asked.NodeId == FuseKernel.RootId ? (0, Write(payload, new FuseOpenOut())) : (ENOTDIR, 0),
            FuseOpcode.Read => Read(MemoryMarshal.Read<FuseReadIn>(body), payload),
            FuseOpcode.ReadDir => (0, ReadDir(MemoryMarshal.Read<FuseReadIn>(body), payload)),
            FuseOpcode.Release or FuseOpcode.ReleaseDir or FuseOpcode.Flush or FuseOpcode.Destroy => (0, 0),
            FuseOpcode.StatFs => (0, StatFs(payload)),
            FuseOpcode.Access => (MemoryMarshal.Read<FuseAccessIn>(body).Mask & W_OK) != 0 ? (EROFS, 0) : (0, 0),
            FuseOpcode.GetXAttr => (ENODATA, 0),
            FuseOpcode.ListXAttr => MemoryMarshal.Read<FuseGetXAttrIn>(body).Size == 0 ? (0, Write(payload, new FuseGetXAttrOut())) : (0, 0),
            FuseOpcode.SetAttr or FuseOpcode.Write or FuseOpcode.Create or FuseOpcode.MkNod or FuseOpcode.MkDir
                or FuseOpcode.Symlink or FuseOpcode.Link or FuseOpcode.Unlink or FuseOpcode.RmDir
                or FuseOpcode.Rename or FuseOpcode.Rename2 or FuseOpcode.SetXAttr or FuseOpcode.RemoveXAttr
                or FuseOpcode.FAllocate or FuseOpcode.CopyFileRange or FuseOpcode.TmpFile => (EROFS, 0),
            _ => (ENOSYS, 0),
        };
        var size = HeaderSize + (error == 0 ? Math.Max(length, 0) : 0);
        header = new FuseOutHeader { Length = (uint)size, Error = -error, Unique = asked.Unique };
        return length >= 0;
    }

    private int Init(ReadOnlySpan<byte> body, Span<byte> payload)
    {
        var asked = MemoryMarshal.Read<FuseInitIn>(body);
        if (asked.Major != FuseKernel.Major)
        {
            // A newer major version: say ours; the kernel then asks again in it, or gives up.
            return Write(payload, new FuseInitOut { Major = FuseKernel.Major, Minor = FuseKernel.Minor });
        }

        const uint Wanted = FuseKernel.FUSE_ASYNC_READ | FuseKernel.FUSE_PARALLEL_DIROPS | FuseKernel.FUSE_MAX_PAGES;
        return Write(payload, new FuseInitOut
        {
            Major = FuseKernel.Major,
            Minor = Math.Min(asked.Minor, FuseKernel.Minor),
            MaxReadahead = asked.MaxReadahead,
            Flags = asked.Flags & Wanted,
            MaxBackground = 16,
            CongestionThreshold = 12,
            MaxWrite = 4096, // nothing is ever written; the kernel needs a value
            TimeGranularity = 1,
            MaxPages = (ushort)(MaxRead / Environment.SystemPageSize),
        });
    }

    private (int Error, int Length) Lookup(ulong parent, ReadOnlySpan<byte> body, Span<byte> payload)
    {
        var name = body.IndexOf((byte)0) is var end and >= 0 ? body[..end] : body;
        if (parent != FuseKernel.RootId)
        {
            return (ENOTDIR, 0);
        }

        return name.SequenceEqual(FileNameBytes)
            ? (0, Write(payload, new FuseEntryOut { NodeId = FileId, EntryValid = CacheSeconds, AttrValid = CacheSeconds, Attr = Attributes(FileId) }))
            : (ENOENT, 0);
    }

    private (int Error, int Length) GetAttr(ulong node, Span<byte> payload) =>
        node is FuseKernel.RootId or FileId
            ? (0, Write(payload, new FuseAttrOut { AttrValid = CacheSeconds, Attr = Attributes(node) }))
            : (ENOENT, 0);

    private static (int Error, int Length) Open(ulong node, ReadOnlySpan<byte> body, Span<byte> payload)
    {
        if (node != FileId)
        {
            return (node == FuseKernel.RootId ? EISDIR : ENOENT, 0);
        }

        var flags = (int)MemoryMarshal.Read<FuseOpenIn>(body).Flags;
        return (flags & O_ACCMODE) != O_RDONLY
            ? (EROFS, 0)
            : (0, Write(payload, new FuseOpenOut { OpenFlags = FuseKernel.FOPEN_KEEP_CACHE })); // the bytes never change
    }

    private (int Error, int Length) Read(FuseReadIn read, Span<byte> payload)
    {
        var length = source.Length;
        if (read.Offset >= (ulong)length)
        {
            return (0, 0);
        }

        var wanted = (int)Math.Min(Math.Min(read.Size, (uint)MaxRead), (ulong)length - read.Offset);
        var into = payload[..wanted];
        var done = 0;
        try
        {
            while (done < wanted)
            {
                var n = source.Read((long)read.Offset + done, into[done..]);
                if (n <= 0)
                {
                    break;
                }

                done += n;
            }
        }
#pragma warning disable CA1031 // Whatever the source throws, the kernel gets EIO for this read and the mount lives on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (_reported.TryAdd(e.GetType().FullName + ": " + e.Message, 0))
            {
                logger.ImageReadFailed((long)read.Offset, e.Message);
            }

            return (EIO, 0);
        }

        // A source shorter than it said: what is past its end reads as zeros, as a sparse file's hole would.
        into[done..].Clear();
        return (0, wanted);
    }

    private static int ReadDir(FuseReadIn read, Span<byte> payload)
    {
        Span<(ulong Ino, uint Type, string Name)> entries =
        [
            (FuseKernel.RootId, DirectoryType, "."),
            (FuseKernel.RootId, DirectoryType, ".."),
            (FileId, FileType, FileName),
        ];
        var room = payload[..(int)Math.Min(read.Size, (uint)payload.Length)];
        var used = 0;
        for (var i = (int)Math.Min(read.Offset, (ulong)entries.Length); i < entries.Length; i++)
        {
            var name = Encoding.ASCII.GetBytes(entries[i].Name);
            var size = (FuseKernel.NameOffset + name.Length + 7) & ~7;
            if (used + size > room.Length)
            {
                break;
            }

            var entry = room.Slice(used, size);
            entry.Clear();
            MemoryMarshal.Write(entry, new FuseDirent { Ino = entries[i].Ino, Offset = (ulong)i + 1, NameLength = (uint)name.Length, Type = entries[i].Type });
            name.CopyTo(entry[FuseKernel.NameOffset..]);
            used += size;
        }

        return used;
    }

    private int StatFs(Span<byte> payload) => Write(payload, new FuseStatFsOut
    {
        Blocks = (ulong)((source.Length + BlockSize - 1) / BlockSize),
        Files = 2,
        BlockSize = BlockSize,
        FragmentSize = BlockSize,
        NameLength = 255,
    });

    private FuseAttr Attributes(ulong node)
    {
        var file = node == FileId;
        var size = file ? (ulong)source.Length : 0;
        return new FuseAttr
        {
            Ino = node,
            Size = size,
            Blocks = (size + 511) / 512,
            ATime = _created,
            MTime = _created,
            CTime = _created,
            Mode = file ? (uint)(S_IFREG | 0x124) : (uint)(S_IFDIR | 0x16D), // 0444, 0555
            NLink = file ? 1u : 2u,
            BlkSize = BlockSize,
        };
    }

    private static int Write<T>(Span<byte> payload, T value)
        where T : struct
    {
        MemoryMarshal.Write(payload, in value);
        return Unsafe.SizeOf<T>();
    }
}
