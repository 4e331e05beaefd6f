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
    public static IReadOnlyList<SourceDevice> Build(
        IReadOnlyList<LsblkDevice> roots, IReadOnlyDictionary<string, FilesystemSignature>? probed = null)
    {
        var sources = new List<SourceDevice>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            AddSources(root, probed ?? NothingProbed, sources, seen);
        }

        return sources;
    }

    private static void AddSources(
        LsblkDevice device,
        IReadOnlyDictionary<string, FilesystemSignature> probed,
        List<SourceDevice> sources,
        HashSet<string> seen)
    {
        var name = DeviceName.Of(device);
        if (device.Size > 0 && seen.Add(name))
        {
            var parts = Partitions(device).Where(p => p.Size > 0).Select(p => ToPart(p, probed)).ToList();
            if (parts.Count == 0 && Filesystem(device, probed)?.Type is not null)
            {
                parts.Add(ToPart(device, probed));
            }
            else if (parts.Count == 0 && device.Children.Count == 0 && !IsOpticalDrive(device))
            {
                // Holds nothing: a new disk, a zeroed loop device. A restore may target it.
                parts.Add(ToPart(device, probed) with { Unformatted = true });
            }

            if (parts.Count > 0)
            {
                sources.Add(new SourceDevice(name, device.Size, parts));
            }
        }

        foreach (var stacked in StackedOn(device))
        {
            AddSources(stacked, probed, sources, seen);
        }
    }

    private static void AddCandidates(LsblkDevice device, List<string> candidates, HashSet<string> seen)
    {
        // A device with partitions is listed through them; what it holds itself does not matter.
        var needsProbe = device.Size > 0 && !device.HasFilesystemData && !Partitions(device).Any(p => p.Size > 0);
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
