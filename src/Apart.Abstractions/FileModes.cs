namespace Apart.Abstractions;

/// <summary>The file modes Apart creates things with, and the octal form people write them in.</summary>
public static class FileModes
{
    /// <summary>0600: images hold whole filesystems, secrets included; a presenter's own socket.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A directory only its owner may list and enter: rwx------.</summary>
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>0660: a service's socket, for root and the members of its group.</summary>
    public const UnixFileMode OwnerAndGroup = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>The permission bits a mode may have (0777): no setuid, setgid or sticky bit.</summary>
    public const UnixFileMode Permissions = (UnixFileMode)0x1FF;

    /// <summary>A mode as people write it: <c>0660</c>.</summary>
    public static string ToOctal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');

    /// <summary>
    /// Reads an octal mode (<c>0660</c>, <c>660</c>); null for anything but one to four octal digits
    /// naming permission bits only.
    /// </summary>
    public static UnixFileMode? ParseOctal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > 4 || !text.All(c => c is >= '0' and <= '7'))
        {
            return null;
        }

        var mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return (mode & ~Permissions) == 0 ? mode : null;
    }
}
