using System.Globalization;
using System.Text;
using Apart.Abstractions;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>mount(2), umount2(2) and what <c>/proc/self/mountinfo</c> says is mounted.</summary>
internal static unsafe class Mounts
{
    private const string MountInfo = "/proc/self/mountinfo";

    /// <summary>One line of mountinfo: where, what filesystem type, from what source.</summary>
    public sealed record Entry(string MountPoint, string FsType, string Source);

    /// <summary>mount(2).</summary>
    /// <exception cref="NativeIOException">The kernel refused.</exception>
    public static void Mount(string source, string target, string fsType, ulong flags, string data)
    {
        fixed (byte* s = NativeText.NullTerminated(source))
        fixed (byte* t = NativeText.NullTerminated(target))
        fixed (byte* f = NativeText.NullTerminated(fsType))
        fixed (byte* d = NativeText.NullTerminated(data))
        {
            if (Libc.mount(s, t, f, flags, d) == -1)
            {
                throw Errno.Exception($"Cannot mount {fsType} at {target}", Errno.Last);
            }
        }
    }

    /// <summary>umount2(2), lazily (MNT_DETACH) or not; 0, or the errno it failed with (EBUSY: in use; EINVAL: not a mount point).</summary>
    public static int Unmount(string target, bool lazy)
    {
        fixed (byte* t = NativeText.NullTerminated(target))
        {
            int rc;
            do
            {
                rc = Libc.umount2(t, Libc.UMOUNT_NOFOLLOW | (lazy ? Libc.MNT_DETACH : 0));
            }
            while (rc == -1 && Errno.Last == EINTR);

            return rc == 0 ? 0 : Errno.Last;
        }
    }

    /// <summary>The topmost mount at <paramref name="mountPoint"/>, or null when nothing is mounted there.</summary>
    public static Entry? At(string mountPoint) => List().LastOrDefault(entry => entry.MountPoint == mountPoint);

    /// <summary>Everything mounted in the core's mount namespace, in mount order.</summary>
    public static IReadOnlyList<Entry> List()
    {
        var entries = new List<Entry>();
        foreach (var line in File.ReadAllLines(MountInfo))
        {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 2 >= fields.Length)
            {
                continue;
            }

            entries.Add(new Entry(Unescape(fields[4]), Unescape(fields[separator + 1]), Unescape(fields[separator + 2])));
        }

        return entries;
    }

    // mountinfo writes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                bytes.Add(Convert.ToByte(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}
