using System.Runtime.InteropServices;

namespace Apart.Host.Native;

/// <summary>The system's user database (through glibc, so NSS sources count as they do for ls).</summary>
internal static unsafe partial class Users
{
    /// <summary>A user's primary group; null when the system does not know the user.</summary>
    public static uint? PrimaryGroup(uint uid)
    {
        var buffer = new byte[16 * 1024];
        fixed (byte* text = buffer)
        {
            Passwd entry;
            Passwd* found;
            return getpwuid_r(uid, &entry, text, (nuint)buffer.Length, &found) == 0 && found != null ? entry.Gid : null;
        }
    }

    // glibc's struct passwd.
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint Name;
        public nint Password;
        public uint Uid;
        public uint Gid;
        public nint Gecos;
        public nint Home;
        public nint Shell;
    }

    [LibraryImport("libc")]
    private static partial int getpwuid_r(uint uid, Passwd* entry, byte* buffer, nuint length, Passwd** result);
}
