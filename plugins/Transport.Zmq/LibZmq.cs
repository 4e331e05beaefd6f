using System.Runtime.InteropServices;

namespace Apart.Transport.Zmq;

/// <summary>
/// The libzmq 4.3 calls this transport makes (Debian's libzmq5, built with libsodium for CURVE),
/// and the option and event numbers of its <c>zmq.h</c>.
/// </summary>
internal static unsafe partial class LibZmq
{
    private const string Library = "libzmq.so.5";

    public const int PAIR = 0;
    public const int ROUTER = 6;

    public const int DONTWAIT = 1;
    public const int SNDMORE = 2;
    public const short POLLIN = 1;

    public const int EINTR = 4;

    // Socket options.
    public const int LINGER = 17;
    public const int RECONNECT_IVL = 18;
    public const int MAXMSGSIZE = 22;
    public const int SNDHWM = 23;
    public const int RCVHWM = 24;
    public const int CURVE_SERVER = 47;
    public const int CURVE_SECRETKEY = 49;
    public const int ZAP_DOMAIN = 55;
    public const int USE_FD = 89;

    // Context options.
    public const int BLOCKY = 70;

    // Socket monitor events.
    public const int EVENT_CONNECTED = 0x0001;
    public const int EVENT_CONNECT_RETRIED = 0x0004;
    public const int EVENT_LISTENING = 0x0008;
    public const int EVENT_ACCEPTED = 0x0020;
    public const int EVENT_DISCONNECTED = 0x0200;
    public const int EVENT_HANDSHAKE_SUCCEEDED = 0x1000;

    /// <summary>A <c>zmq_pollitem_t</c>: a ZeroMQ socket, or a plain descriptor when the socket is null.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollItem
    {
        public nint Socket;
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>A <c>zmq_msg_t</c>: 64 opaque bytes, 8-aligned.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    public struct Message
    {
        private readonly long _first;
    }

    [LibraryImport(Library, EntryPoint = "zmq_ctx_new")]
    public static partial nint CtxNew();

    [LibraryImport(Library, EntryPoint = "zmq_ctx_set")]
    public static partial int CtxSet(nint context, int option, int value);

    [LibraryImport(Library, EntryPoint = "zmq_ctx_term")]
    public static partial int CtxTerm(nint context);

    [LibraryImport(Library, EntryPoint = "zmq_socket")]
    public static partial nint Socket(nint context, int type);

    [LibraryImport(Library, EntryPoint = "zmq_close")]
    public static partial int Close(nint socket);

    [LibraryImport(Library, EntryPoint = "zmq_setsockopt")]
    public static partial int SetSockOpt(nint socket, int option, void* value, nuint length);

    [LibraryImport(Library, EntryPoint = "zmq_bind")]
    public static partial int Bind(nint socket, byte* endpoint);

    [LibraryImport(Library, EntryPoint = "zmq_connect")]
    public static partial int Connect(nint socket, byte* endpoint);

    [LibraryImport(Library, EntryPoint = "zmq_socket_monitor")]
    public static partial int SocketMonitor(nint socket, byte* endpoint, int events);

    [LibraryImport(Library, EntryPoint = "zmq_send")]
    public static partial int Send(nint socket, void* buffer, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "zmq_msg_init")]
    public static partial int MsgInit(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_recv")]
    public static partial int MsgRecv(Message* message, nint socket, int flags);

    [LibraryImport(Library, EntryPoint = "zmq_msg_data")]
    public static partial void* MsgData(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_size")]
    public static partial nuint MsgSize(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_more")]
    public static partial int MsgMore(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_close")]
    public static partial int MsgClose(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_poll")]
    public static partial int Poll(PollItem* items, int count, long timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "zmq_errno")]
    public static partial int Errno();

    [LibraryImport(Library, EntryPoint = "zmq_strerror")]
    private static partial nint StrError(int errno);

    [LibraryImport(Library, EntryPoint = "zmq_z85_decode")]
    public static partial byte* Z85Decode(byte* destination, byte* text);

    /// <summary>libzmq's words for its last error on this thread.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8(StrError(Errno())) ?? $"errno {Errno()}";
}
