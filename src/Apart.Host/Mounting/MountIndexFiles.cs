using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Apart.Host.Native;

namespace Apart.Host.Mounting;

/// <summary>
/// Where the codecs keep what they learn about an image to read it in place (a gz image's access
/// points): under the core's cache directory, never beside the image, named after the identity of
/// the image's first file (device, inode, size, modification time), so a changed image gets a new
/// index and an old one is never read for it.
/// </summary>
/// <param name="cacheDirectory">The core's cache directory (<see cref="Core.CoreOptions.CacheDirectory"/>).</param>
internal sealed class MountIndexFiles(string cacheDirectory)
{
    /// <summary>The folder below the cache directory that holds the index files.</summary>
    public string Directory { get; } = Path.Join(cacheDirectory, "index");

    /// <summary>The index file of the image whose first file is <paramref name="firstPiece"/>; its folder is made (root's only).</summary>
    /// <exception cref="IOException">The file cannot be examined, or the folder made.</exception>
    public string For(string firstPiece)
    {
        var st = NativeFile.LinkStat(firstPiece) ?? throw new FileNotFoundException($"{firstPiece} does not exist.", firstPiece);
        var identity = string.Join(
            ':',
            ((ulong)st.st_dev).ToString(CultureInfo.InvariantCulture),
            ((ulong)st.st_ino).ToString(CultureInfo.InvariantCulture),
            ((long)st.st_size).ToString(CultureInfo.InvariantCulture),
            ((long)st.st_mtim.tv_sec).ToString(CultureInfo.InvariantCulture),
            ((long)st.st_mtim.tv_nsec).ToString(CultureInfo.InvariantCulture));
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.Join(Directory, name + ".idx");
    }
}
