using System.Globalization;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Apart.Cli.Browsing;

/// <summary>One entry of a directory in an image, as <c>apart ls</c> shows it (like <c>ls -la</c>).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">What it is.</param>
/// <param name="Mode">Its permission bits and set-id and sticky bits.</param>
/// <param name="Uid">Its owner's number, as the image holds it (names here would be this machine's).</param>
/// <param name="Gid">Its group's number.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Modified">When its contents last changed.</param>
/// <param name="Target">A symbolic link's target.</param>
internal sealed record ListedEntry(string Name, EntryType Type, int Mode, uint Uid, uint Gid, long Size, DateTimeOffset Modified, string? Target)
{
    /// <summary>The entry at <paramref name="path"/>, not following a symbolic link.</summary>
    /// <exception cref="IOException">It cannot be examined.</exception>
    public static unsafe ListedEntry Of(string path, string name)
    {
        stat st;
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
        {
            if (lstat(p, &st) != 0)
            {
                throw new IOException($"Cannot examine {name}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}.");
            }
        }

        var kind = st.st_mode & S_IFMT;
        var type = kind == S_IFREG ? EntryType.File : kind == S_IFDIR ? EntryType.Directory : kind == S_IFLNK ? EntryType.Symlink : EntryType.Other;
        var modified = DateTimeOffset.FromUnixTimeSeconds(st.st_mtim.tv_sec).AddTicks(st.st_mtim.tv_nsec / 100);
        return new ListedEntry(name, type, (int)(st.st_mode & 0xFFF), st.st_uid, st.st_gid, st.st_size, modified, type == EntryType.Symlink ? new FileInfo(path).LinkTarget : null);
    }

    /// <summary>The entries of a directory, by name; or the one entry a path names.</summary>
    public static IReadOnlyList<ListedEntry> List(string path)
    {
        if (!Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            return [Of(path, Path.GetFileName(path))];
        }

        return Directory.EnumerateFileSystemEntries(path)
            .Select(entry => Of(entry, Path.GetFileName(entry)))
            .OrderBy(entry => entry.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary><c>drwxr-xr-x</c>.</summary>
    public string ModeText
    {
        get
        {
            var text = new char[10];
            text[0] = Type switch { EntryType.Directory => 'd', EntryType.Symlink => 'l', EntryType.File => '-', _ => '?' };
            const string letters = "rwxrwxrwx";
            for (var i = 0; i < 9; i++)
            {
                text[i + 1] = (Mode & (1 << (8 - i))) != 0 ? letters[i] : '-';
            }

            text[3] = Special(text[3], 0x800, 's');
            text[6] = Special(text[6], 0x400, 's');
            text[9] = Special(text[9], 0x200, 't');
            return new string(text);
        }
    }

    /// <summary>One line as <c>apart ls</c> prints it: mode, owner, group, size, time, name (→ target).</summary>
    public string Line() => string.Create(
        CultureInfo.InvariantCulture,
        $"{ModeText} {Uid,6} {Gid,6} {Size,12} {Modified.ToLocalTime():yyyy-MM-dd HH:mm} {Name}{(Target is null ? "" : " -> " + Target)}");

    private char Special(char execute, int bit, char letter) =>
        (Mode & bit) == 0 ? execute : execute == '-' ? char.ToUpperInvariant(letter) : letter;
}

/// <summary>What a directory entry is.</summary>
internal enum EntryType
{
    /// <summary>A regular file.</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (never followed).</summary>
    Symlink,

    /// <summary>A device, pipe or socket.</summary>
    Other,
}
