using System.Diagnostics;
using Apart.Abstractions;

namespace Apart.Imaging.Partclone;

/// <summary>
/// How each filesystem is mounted to be read and never written: read-only, with whatever would
/// write even to a read-only device's filesystem turned off (ext3/4's journal replay, XFS's log
/// recovery, Btrfs's log replay), and <c>nodev,nosuid,noexec</c>. The kernel's own driver where
/// it has one, otherwise the FUSE driver (ntfs-3g, exfat-fuse), which write nothing when read-only.
/// </summary>
internal static class ReadOnlyMounts
{
    private const string Restrictions = "ro,nodev,nosuid,noexec";
    private const string ProcFilesystems = "/proc/filesystems";
    private const string ModulesDirectory = "/lib/modules";
    private const string KernelRelease = "/proc/sys/kernel/osrelease";

    /// <summary>How one variant's filesystem is mounted.</summary>
    /// <param name="KernelType">The kernel filesystem to mount it as; null when a FUSE program mounts it.</param>
    /// <param name="Options">What it takes beyond <see cref="Restrictions"/>.</param>
    /// <param name="FusePrograms">The FUSE programs that mount it, best first (run as <c>PROGRAM -o OPTIONS DEVICE DIR</c>).</param>
    private sealed record Recipe(string? KernelType, string Options, params string[] FusePrograms);

    private static readonly Recipe _ext = new("ext4", "noload");

    private static readonly Dictionary<string, Recipe> _recipes = new(StringComparer.Ordinal)
    {
        // The ext4 driver reads ext2 and ext3 too; noload: no journal replay.
        ["ext2"] = _ext,
        ["ext3"] = _ext,
        ["ext4"] = _ext,
        ["ext4dev"] = _ext,
        ["extfs"] = _ext,
        ["xfs"] = new("xfs", "norecovery"),
        ["btrfs"] = new("btrfs", "rescue=nologreplay"),
        ["f2fs"] = new("f2fs", "norecovery"),
        ["vfat"] = new("vfat", string.Empty),
        ["fat"] = new("vfat", string.Empty),
        ["ntfs"] = new(null, string.Empty, "ntfs-3g"),

        // exfat-fuse 1.3 drops noexec without a word: no file gets an execute bit instead.
        ["exfat"] = new(null, "fmask=0111", "mount.exfat-fuse", "exfat-fuse"),
    };

    /// <summary>
    /// The command that mounts <paramref name="device"/>, holding a filesystem of
    /// <paramref name="variant"/>, read-only at <paramref name="mountPoint"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">Apart does not know such a filesystem, or this machine lacks its driver (the message says which).</exception>
    public static CommandLine Command(string variant, string device, string mountPoint)
    {
        if (!_recipes.TryGetValue(variant, out var recipe))
        {
            throw new NotSupportedException($"Apart does not know how to mount {variant} filesystems read-only without writing to them");
        }

        var options = recipe.Options.Length == 0 ? Restrictions : $"{Restrictions},{recipe.Options}";
        if (recipe.KernelType is { } type)
        {
            if (!KernelHas(type))
            {
                throw new NotSupportedException($"this machine's kernel ({Release()}) has no {type} driver, neither built in nor as a module");
            }

            var mount = ProgramLocator.Find("mount") ?? throw new NotSupportedException("mount is not installed");
            return new CommandLine(mount, ["-t", type, "-o", options, device, mountPoint]);
        }

        var program = recipe.FusePrograms.Select(ProgramLocator.Find).FirstOrDefault(found => found is not null)
            ?? throw new NotSupportedException($"{variant} filesystems are mounted with {recipe.FusePrograms[0]}, which is not installed");
        return File.Exists("/dev/fuse")
            ? new CommandLine(program, ["-o", options, device, mountPoint])
            : throw new NotSupportedException($"{variant} filesystems are mounted through FUSE, and this machine has no /dev/fuse");
    }

    /// <summary>
    /// The filesystem blkid finds on <paramref name="device"/> (a raw image's, which partclone
    /// does not record), as the variant whose recipe mounts it.
    /// </summary>
    /// <exception cref="NotSupportedException">No filesystem Apart can mount is found there.</exception>
    public static string ProbeVariant(string device)
    {
        var blkid = ProgramLocator.Find("blkid") ?? throw new NotSupportedException("a raw image's filesystem is found with blkid, which is not installed");
        var start = new ProcessStartInfo(blkid) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

        // -p: probe the device itself, never reading or writing blkid's cache.
        foreach (var argument in new[] { "-p", "-o", "value", "-s", "TYPE", device })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new NotSupportedException("blkid did not start");
        // Both pipes drained, so a chatty blkid cannot block on a full one.
        var errors = process.StandardError.ReadToEndAsync();
        var type = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        errors.GetAwaiter().GetResult();
        if (type.Length == 0)
        {
            throw new NotSupportedException("it is a raw image, and blkid finds no filesystem in it");
        }

        return FilesystemVariants.Candidates(type).FirstOrDefault(_recipes.ContainsKey)
            ?? throw new NotSupportedException($"it is a raw image of a {type} filesystem, which Apart does not know how to mount read-only without writing to it");
    }

    // Listed in /proc/filesystems, or a module mount would load.
    private static bool KernelHas(string type)
    {
        var listed = File.ReadLines(ProcFilesystems)
            .Select(line => line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Any(fields => fields.Length > 0 && fields[^1] == type);
        if (listed)
        {
            return true;
        }

        // modules.dep lines start "kernel/fs/fat/vfat.ko.xz:"; the module may be compressed.
        var dependencies = Path.Combine(ModulesDirectory, Release(), "modules.dep");
        return File.Exists(dependencies)
            && File.ReadLines(dependencies)
                .Select(line => Path.GetFileName(line.Split(':')[0]))
                .Any(name => name == type + ".ko" || name.StartsWith(type + ".ko.", StringComparison.Ordinal));
    }

    private static string Release() => File.Exists(KernelRelease) ? File.ReadAllText(KernelRelease).Trim() : "unknown";
}
