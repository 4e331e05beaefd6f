using System.Runtime.InteropServices;
using Apart.Abstractions;

namespace Apart.Host.Native;

/// <summary>The system's user database (through glibc, so NSS sources count as they do for ls).</summary>
internal static unsafe partial class Users
{
    /// <summary>A user's primary group; null when the system does not know the user.</summary>
    public static uint? PrimaryGroup(uint uid) => Entry(uid)?.Gid;

    /// <summary>
    /// Every group a user is in: <paramref name="gid"/> and, when the system knows the user, their
    /// supplementary groups.
    /// </summary>
    public static IReadOnlySet<uint> Groups(uint uid, uint gid)
    {
        var groups = new HashSet<uint> { gid };
        if (Entry(uid)?.Name is not { } name)
        {
            return groups;
        }

        var count = 64;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var found = new uint[count];
            var asked = count;
            fixed (uint* list = found)
            fixed (byte* user = NativeText.NullTerminated(name))
            {
                if (getgrouplist(user, gid, list, &count) != -1)
                {
                    groups.UnionWith(found.Take(count));
                    return groups;
                }
            }

            count = Math.Max(count, asked * 4);
        }

        return groups;
    }

    private static (string? Name, uint Gid)? Entry(uint uid)
    {
        var buffer = new byte[16 * 1024];
        fixed (byte* text = buffer)
        {
            Passwd entry;
            Passwd* found;
            return getpwuid_r(uid, &entry, text, (nuint)buffer.Length, &found) == 0 && found != null
                ? (Marshal.PtrToStringUTF8(entry.Name), entry.Gid)
                : null;
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

    [LibraryImport("libc")]
    private static partial int getgrouplist(byte* user, uint group, uint* groups, int* count);
}
