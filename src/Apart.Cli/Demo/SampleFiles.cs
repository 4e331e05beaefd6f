using System.Security.Cryptography;
using System.Text;

namespace Apart.Cli.Demo;

/// <summary>
/// The demo filesystem's contents: text, compressible documents (the system's own, from
/// <c>/usr/share/doc</c>, or generated where there are none), random data that no codec can
/// shrink, zeros, a name with spaces and non-ASCII letters, a symlink, and private modes.
/// </summary>
internal static class SampleFiles
{
    /// <summary>At most this much is copied from the documentation folder.</summary>
    public const long DocumentBudget = 8L << 20;

    private const long LargestDocument = 512 << 10;
    private const string DocumentationFolder = "/usr/share/doc";

    /// <summary>Writes the samples under <paramref name="root"/>.</summary>
    public static void Write(string root, string documentationFolder = DocumentationFolder)
    {
        File.WriteAllText(Path.Combine(root, "README.txt"), Readme);
        File.SetUnixFileMode(Path.Combine(root, "README.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.CreateSymbolicLink(Path.Combine(root, "read-me-first"), "README.txt");

        var documents = Directory.CreateDirectory(Path.Combine(root, "documents")).FullName;
        if (CopyDocumentation(documentationFolder, documents) < DocumentBudget / 4)
        {
            WriteGeneratedText(Path.Combine(documents, "generated"));
        }

        var data = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        File.WriteAllBytes(Path.Combine(data, "random.bin"), RandomNumberGenerator.GetBytes(4 << 20));
        File.WriteAllBytes(Path.Combine(data, "zeros.bin"), new byte[2 << 20]);
        File.WriteAllText(Path.Combine(data, "Notes with spaces & ünïcode ✓.txt"), "Names survive too.\n");
        File.WriteAllBytes(Path.Combine(data, "empty"), []);

        var secrets = Directory.CreateDirectory(Path.Combine(root, "private")).FullName;
        File.WriteAllText(Path.Combine(secrets, "key.txt"), Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(Path.Combine(secrets, "key.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    // Regular files only, small ones, in a stable order, up to the budget; .gz files are left out
    // because the point is to show compression.
    private static long CopyDocumentation(string from, string to)
    {
        if (!Directory.Exists(from))
        {
            return 0;
        }

        long copied = 0;
        var files = new DirectoryInfo(from)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(file => file.Length is > 0 and <= LargestDocument && !file.Name.EndsWith(".gz", StringComparison.Ordinal))
            .OrderBy(file => file.FullName, StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (copied + file.Length > DocumentBudget)
            {
                break;
            }

            var target = Path.Combine(to, Path.GetRelativePath(from, file.FullName));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            file.CopyTo(target);
            copied += file.Length;
        }

        return copied;
    }

    private static void WriteGeneratedText(string folder)
    {
        Directory.CreateDirectory(folder);
        var words = "partition image clone restore verify compress block device filesystem sector backup".Split(' ');
        for (var n = 0; n < 16; n++)
        {
            var text = new StringBuilder();
            for (var i = 0; text.Length < 256 << 10; i++)
            {
                text.Append(words[(i * 7 + n) % words.Length]).Append(i % 12 == 11 ? ".\n" : " ");
            }

            File.WriteAllText(Path.Combine(folder, $"chapter-{n:00}.txt"), text.ToString());
        }
    }

    private const string Readme = """
        This filesystem was made by `apart demo`.

        The demo clones it to a compressed image with partclone, checks the image, restores it
        to a second, blank device, and compares every file of the two: content, size and mode.
        Then it removes the devices, the image and this filesystem.

        """;
}
