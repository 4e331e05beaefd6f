using Apart.Abstractions;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// docs/PROTOCOL.md §3 applied to lsblk's tree. A whole device (top-level, or stacked on others: md
/// arrays, LVM and other device-mapper volumes) is a source when it has partitions, which are its
/// parts, or else when it holds a filesystem itself, which makes it its own single part, or else,
/// holding nothing, as its own blank part (a restore target the status does not show). Stacked
/// devices appear under each of their members and are listed once. Size-0 devices are skipped.
/// </summary>
internal static class SourceListBuilder
{
    private static readonly IReadOnlyDictionary<string, FilesystemSignature> NothingProbed =
        new Dictionary<string, FilesystemSignature>();

    private static readonly IReadOnlyDictionary<string, ListedTable> NoTables = new Dictionary<string, ListedTable>();

    private static readonly IReadOnlyDictionary<string, LoopBacking> NoLoops = new Dictionary<string, LoopBacking>();

    /// <summary>
    /// The device paths whose filesystem lsblk did not report and that may need it: partitions and
    /// whole devices without partitions (one of those holding a filesystem becomes a source).
    /// </summary>
    public static IReadOnlyList<string> ProbeCandidates(IReadOnlyList<LsblkDevice> roots)
    {
        var candidates = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            AddCandidates(root, candidates, seen);
        }

        return candidates;
    }

    /// <summary>The sources, in lsblk's order, a stacked device after the first device it sits on.</summary>
    /// <param name="roots">lsblk's tree.</param>
    /// <param name="probed">What blkid found on the devices lsblk knew nothing about, by path.</param>
    /// <param name="tables">
    /// The partitions of whole devices whose table the kernel shows no nodes for, by device name,
    /// each with what blkid found in it.
    /// </param>
    /// <param name="loops">The loop devices attached now: another one over a partition's bytes that is mounted makes the partition mounted.</param>
    public static IReadOnlyList<SourceDevice> Build(
        IReadOnlyList<LsblkDevice> roots,
        IReadOnlyDictionary<string, FilesystemSignature>? probed = null,
        IReadOnlyDictionary<string, ListedTable>? tables = null,
        IReadOnlyDictionary<string, LoopBacking>? loops = null)
    {
        var context = new Context(probed ?? NothingProbed, tables ?? NoTables, loops ?? NoLoops, MountedLoops(roots));
        var sources = new List<SourceDevice>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            AddSources(root, context, sources, seen);
        }

        return sources;
    }

    /// <summary>
    /// Whole devices that may hold a partition table the kernel shows no nodes for: no partitions
    /// in lsblk's tree, and a table blkid saw (lsblk's PTTYPE, with udev, or the probe's).
    /// </summary>
    public static IReadOnlyList<string> UnnodedTableCandidates(IReadOnlyList<LsblkDevice> roots, IReadOnlyDictionary<string, FilesystemSignature> probed) =>
        roots.Where(device => device.Size > 0 && !Partitions(device).Any()
                && (device.PartitionTable ?? probed.GetValueOrDefault("/dev/" + DeviceName.Of(device))?.PartitionTable) is not null)
            .Select(device => "/dev/" + DeviceName.Of(device))
            .ToList();

    /// <summary>
    /// The whole devices whose listing may hold <paramref name="devicePath"/>: those with a device
    /// of that path in their tree (the device itself, a partition, or something stacked on them),
    /// and those whose name begins the path's name, which may have it as a partition the kernel
    /// shows no node for (<c>loop1</c> for <c>/dev/loop1p2</c>; <c>loop10</c> goes along, harmless).
    /// Building the sources with only these devices probed gives the source holding the path as a
    /// full listing would: what a source is depends on its own tree's findings alone.
    /// </summary>
    public static IReadOnlyList<LsblkDevice> RootsThatMayHold(IReadOnlyList<LsblkDevice> roots, string devicePath)
    {
        const string DevPrefix = "/dev/";
        var name = devicePath.StartsWith(DevPrefix, StringComparison.Ordinal) ? devicePath[DevPrefix.Length..] : null;
        return name is null
            ? []
            : roots.Where(root => Holds(root, name) || name.StartsWith(DeviceName.Of(root), StringComparison.Ordinal)).ToList();

        static bool Holds(LsblkDevice device, string name) =>
            DeviceName.Of(device) == name || device.Children.Any(child => Holds(child, name));
    }

    /// <summary>The name the kernel gives partition <paramref name="number"/> of a disk: <c>sda1</c>, <c>nvme0n1p2</c>, <c>loop5p1</c>.</summary>
    public static string PartitionName(string disk, int number) =>
        char.IsAsciiDigit(disk[^1]) ? $"{disk}p{number}" : $"{disk}{number}";

    private static void AddSources(LsblkDevice device, Context context, List<SourceDevice> sources, HashSet<string> seen)
    {
        var probed = context.Probed;
        var name = DeviceName.Of(device);
        if (device.Size > 0 && seen.Add(name))
        {
            var parts = Partitions(device).Where(p => p.Size > 0).Select(p => ToPart(p, probed) with { Start = p.Start }).ToList();
            var table = device.PartitionTable ?? Filesystem(device, probed)?.PartitionTable;
            if (parts.Count == 0 && context.Tables.TryGetValue(name, out var listed))
            {
                // A table the kernel shows no nodes for: its partitions as the kernel would name them.
                table = listed.Table.Label;
                parts.AddRange(listed.Table.Partitions.Where(entry => !entry.IsContainer && entry.Size > 0).Select(entry =>
                {
                    var found = listed.Found.GetValueOrDefault(entry.Number);
                    return new PartDevice(PartitionName(name, entry.Number), entry.Size, context.MountedOver(device, entry), found?.Type, found?.Label, found?.Uuid)
                    {
                        Start = entry.Start,
                        HasNode = false,
                    };
                }));
            }

            // Only a device listed through its partitions is a disk with a table (clone-disk).
            table = parts.Count > 0 ? table : null;
            if (parts.Count == 0 && Filesystem(device, probed)?.Type is not null)
            {
                parts.Add(ToPart(device, probed));
            }
            else if (parts.Count == 0 && device.Children.Count == 0 && !IsOpticalDrive(device) && !IsMounted(device))
            {
                // Holds nothing: a new disk, a zeroed loop device. A restore may target it. (A
                // mounted one holds a filesystem nobody could read the type of: not blank.)
                parts.Add(ToPart(device, probed) with { Unformatted = true });
            }

            if (parts.Count > 0)
            {
                sources.Add(new SourceDevice(name, device.Size, parts, table));
            }
        }

        foreach (var stacked in StackedOn(device))
        {
            AddSources(stacked, context, sources, seen);
        }
    }

    // The devices that are mounted, or hold something that is, with their sizes, by name.
    private static Dictionary<string, long> MountedLoops(IReadOnlyList<LsblkDevice> roots)
    {
        var mounted = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var device in roots)
        {
            if (IsMounted(device))
            {
                mounted[device.Name] = device.Size;
            }
        }

        return mounted;
    }

    private sealed record Context(
        IReadOnlyDictionary<string, FilesystemSignature> Probed,
        IReadOnlyDictionary<string, ListedTable> Tables,
        IReadOnlyDictionary<string, LoopBacking> Loops,
        Dictionary<string, long> MountedLoops)
    {
        /// <summary>
        /// Whether another loop device over the same bytes as this partition is mounted: how such a
        /// partition gets mounted where the kernel shows it no node (losetup -o OFFSET, then mount).
        /// </summary>
        public bool MountedOver(LsblkDevice disk, TableEntry entry)
        {
            var diskPath = "/dev/" + DeviceName.Of(disk);
            var start = entry.Start;
            string? file = null;
            if (Loops.TryGetValue(disk.Name, out var own))
            {
                file = own.BackingFile;
                start += own.Offset;
            }

            foreach (var (name, loop) in Loops)
            {
                if (name == disk.Name || !MountedLoops.TryGetValue(name, out var size))
                {
                    continue;
                }

                var from = loop.BackingFile == diskPath ? entry.Start : loop.BackingFile == file ? start : (long?)null;
                if (from is { } partitionStart && loop.Offset < partitionStart + entry.Size && partitionStart < loop.Offset + Math.Max(1, size))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static void AddCandidates(LsblkDevice device, List<string> candidates, HashSet<string> seen)
    {
        // A device with partitions is listed through them; what it holds itself matters only for
        // its partition table, which lsblk knows from udev alone: without udev (no partition has
        // filesystem data either), blkid tells.
        var partitions = Partitions(device).Where(p => p.Size > 0).ToList();
        var needsProbe = device.Size > 0 && (partitions.Count > 0
            ? device.PartitionTable is null && !partitions.Any(p => p.HasFilesystemData)
            : !device.HasFilesystemData);
        var path = "/dev/" + DeviceName.Of(device);
        if (needsProbe && seen.Add(path))
        {
            candidates.Add(path);
        }

        foreach (var child in device.Children)
        {
            AddCandidates(child, candidates, seen);
        }
    }

    private static PartDevice ToPart(LsblkDevice device, IReadOnlyDictionary<string, FilesystemSignature> probed)
    {
        var filesystem = Filesystem(device, probed);
        return new PartDevice(
            DeviceName.Of(device), device.Size, IsMounted(device), filesystem?.Type, filesystem?.Label, filesystem?.Uuid);
    }

    /// <summary>lsblk's own data when it has any (udev), else what the probe found, else null.</summary>
    private static FilesystemSignature? Filesystem(LsblkDevice device, IReadOnlyDictionary<string, FilesystemSignature> probed) =>
        device.HasFilesystemData
            ? new FilesystemSignature(device.FsType, device.Label, device.Uuid)
            : probed.GetValueOrDefault("/dev/" + DeviceName.Of(device));

    private static bool IsOpticalDrive(LsblkDevice device) => string.Equals(device.Type, "rom", StringComparison.OrdinalIgnoreCase);

    // Mounted, active swap, or holding something that is (an LVM volume on a PV partition, md0 on a member).
    private static bool IsMounted(LsblkDevice device) => device.HasMountpoint || device.Children.Any(IsMounted);

    private static IEnumerable<LsblkDevice> Partitions(LsblkDevice device) =>
        device.Children.Where(child => IsPartition(child, device));

    /// <summary>Devices stacked on this one or on its partitions: each may be a source of its own.</summary>
    private static IEnumerable<LsblkDevice> StackedOn(LsblkDevice device) =>
        device.Children.SelectMany(child => IsPartition(child, device) ? child.Children : [child]);

    /// <summary>
    /// lsblk's TYPE says it; a stand-in without TYPE follows the kernel's naming, where a partition's
    /// name extends its disk's (sda1, nvme0n1p1, md0p1) and a stacked device's does not (md0, vg-root).
    /// </summary>
    private static bool IsPartition(LsblkDevice child, LsblkDevice parent) =>
        child.Type is { } type
            ? type.Equals("part", StringComparison.OrdinalIgnoreCase)
            : child.Name.Length > parent.Name.Length && child.Name.StartsWith(parent.Name, StringComparison.Ordinal);
}
