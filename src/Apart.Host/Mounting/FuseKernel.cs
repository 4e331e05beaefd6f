using System.Runtime.InteropServices;

namespace Apart.Host.Mounting;

/// <summary>
/// The FUSE kernel protocol as <c>include/uapi/linux/fuse.h</c> lays it out (version 7): the
/// opcodes, flags and structures the core's read-only file server uses, nothing more.
/// </summary>
internal static class FuseKernel
{
    /// <summary>The protocol's major version; the kernel and the server must agree on it.</summary>
    public const uint Major = 7;

    /// <summary>
    /// The newest minor version this server speaks; the smaller of it and the kernel's is used.
    /// 7.31 has everything a read-only file needs (max_pages, parallel directory operations).
    /// </summary>
    public const uint Minor = 31;

    /// <summary>The root directory's node id.</summary>
    public const ulong RootId = 1;

    /// <summary>The kernel refuses a read of /dev/fuse into a smaller buffer.</summary>
    public const int MinReadBuffer = 8192;

    public const uint FUSE_ASYNC_READ = 1u << 0;
    public const uint FUSE_PARALLEL_DIROPS = 1u << 18;
    public const uint FUSE_MAX_PAGES = 1u << 22;

    public const uint FOPEN_KEEP_CACHE = 1u << 1;

    public const int NameOffset = 24; // offsetof(struct fuse_dirent, name)
}

/// <summary>The kernel's request opcodes (enum fuse_opcode).</summary>
internal enum FuseOpcode : uint
{
    Lookup = 1,
    Forget = 2,
    GetAttr = 3,
    SetAttr = 4,
    ReadLink = 5,
    Symlink = 6,
    MkNod = 8,
    MkDir = 9,
    Unlink = 10,
    RmDir = 11,
    Rename = 12,
    Link = 13,
    Open = 14,
    Read = 15,
    Write = 16,
    StatFs = 17,
    Release = 18,
    FSync = 20,
    SetXAttr = 21,
    GetXAttr = 22,
    ListXAttr = 23,
    RemoveXAttr = 24,
    Flush = 25,
    Init = 26,
    OpenDir = 27,
    ReadDir = 28,
    ReleaseDir = 29,
    FSyncDir = 30,
    Access = 34,
    Create = 35,
    Interrupt = 36,
    Destroy = 38,
    BatchForget = 42,
    FAllocate = 43,
    Rename2 = 45,
    CopyFileRange = 47,
    TmpFile = 51,
}

/// <summary>struct fuse_in_header: what every request starts with.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInHeader
{
    public uint Length;
    public FuseOpcode Opcode;
    public ulong Unique;
    public ulong NodeId;
    public uint Uid;
    public uint Gid;
    public uint Pid;
    public ushort TotalExtLength;
    public ushort Padding;
}

/// <summary>struct fuse_out_header: what every reply starts with; <see cref="Error"/> is a negative errno or 0.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOutHeader
{
    public uint Length;
    public int Error;
    public ulong Unique;
}

/// <summary>struct fuse_init_in.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInitIn
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
}

/// <summary>struct fuse_init_out (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseInitOut
{
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public ushort MaxBackground;
    public ushort CongestionThreshold;
    public uint MaxWrite;
    public uint TimeGranularity;
    public ushort MaxPages;
    public ushort MapAlignment;
    public uint Flags2;
    public fixed uint Unused[7];
}

/// <summary>struct fuse_attr (88 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttr
{
    public ulong Ino;
    public ulong Size;
    public ulong Blocks;
    public ulong ATime;
    public ulong MTime;
    public ulong CTime;
    public uint ATimeNsec;
    public uint MTimeNsec;
    public uint CTimeNsec;
    public uint Mode;
    public uint NLink;
    public uint Uid;
    public uint Gid;
    public uint RDev;
    public uint BlkSize;
    public uint Flags;
}

/// <summary>struct fuse_entry_out: the answer to LOOKUP.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryOut
{
    public ulong NodeId;
    public ulong Generation;
    public ulong EntryValid;
    public ulong AttrValid;
    public uint EntryValidNsec;
    public uint AttrValidNsec;
    public FuseAttr Attr;
}

/// <summary>struct fuse_attr_out: the answer to GETATTR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttrOut
{
    public ulong AttrValid;
    public uint AttrValidNsec;
    public uint Dummy;
    public FuseAttr Attr;
}

/// <summary>struct fuse_open_in.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenIn
{
    public uint Flags;
    public uint OpenFlags;
}

/// <summary>struct fuse_open_out: the answer to OPEN and OPENDIR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenOut
{
    public ulong FileHandle;
    public uint OpenFlags;
    public uint Padding;
}

/// <summary>struct fuse_read_in: READ and READDIR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReadIn
{
    public ulong FileHandle;
    public ulong Offset;
    public uint Size;
    public uint ReadFlags;
    public ulong LockOwner;
    public uint Flags;
    public uint Padding;
}

/// <summary>struct fuse_getxattr_in: GETXATTR and LISTXATTR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXAttrIn
{
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_getxattr_out: the size of the attribute (or list) when asked with size 0.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXAttrOut
{
    public uint Size;
    public uint Padding;
}

/// <summary>struct fuse_access_in.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAccessIn
{
    public uint Mask;
    public uint Padding;
}

/// <summary>struct fuse_statfs_out (struct fuse_kstatfs, 80 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseStatFsOut
{
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public uint BlockSize;
    public uint NameLength;
    public uint FragmentSize;
    public uint Padding;
    public fixed uint Spare[6];
}

/// <summary>struct fuse_dirent without its name, which follows, padded to 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseDirent
{
    public ulong Ino;
    public ulong Offset;
    public uint NameLength;
    public uint Type;
}
