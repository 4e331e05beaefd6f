namespace Apart.Cli.Browsing;

/// <summary>
/// A path inside a mounted image, found as the image's own system would find it: from the mount's
/// root, each symbolic link on the way followed inside the image (an absolute target, such as
/// <c>/lib → /usr/lib</c>, is taken from the image's root, never this machine's), and <c>..</c>
/// never leading above the root. What is listed or copied is always the image's.
/// </summary>
internal static class ImagePath
{
    private const int MaxLinks = 40; // the kernel's limit

    /// <summary>
    /// The path on this machine of <paramref name="path"/> inside the image mounted at
    /// <paramref name="root"/>. Links on the way are followed; the last name is followed too with
    /// <paramref name="followLast"/> (listing a linked directory), else kept (copying a link).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is there in the image.</exception>
    /// <exception cref="IOException">The links loop.</exception>
    public static string Resolve(string root, string path, bool followLast)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var pending = new Stack<string>(Names(path).Reverse());
        var inside = new List<string>();
        var links = 0;
        while (pending.TryPop(out var name))
        {
            if (name == "..")
            {
                if (inside.Count > 0)
                {
                    inside.RemoveAt(inside.Count - 1);
                }

                continue;
            }

            var candidate = Path.Join([root, .. inside, name]);
            var entry = new FileInfo(candidate);
            if (!entry.Exists && !Directory.Exists(candidate) && entry.LinkTarget is null)
            {
                throw new FileNotFoundException($"{Shown(path)} is not in the image.", path);
            }

            if (entry.LinkTarget is not { } target || (pending.Count == 0 && !followLast))
            {
                inside.Add(name);
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"{Shown(path)} leads through more than {MaxLinks} symbolic links in the image.");
            }

            if (target.StartsWith('/'))
            {
                inside.Clear();
            }

            foreach (var part in Names(target).Reverse())
            {
                pending.Push(part);
            }
        }

        return inside.Count == 0 ? root : Path.Join([root, .. inside]);
    }

    /// <summary>A path inside an image as a person writes it: from its root.</summary>
    public static string Shown(string path) => "/" + string.Join('/', Names(path));

    private static IEnumerable<string> Names(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(name => name != ".");
}
