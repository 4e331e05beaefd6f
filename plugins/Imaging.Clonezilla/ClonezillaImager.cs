using System.Globalization;
using System.Text;
using Apart.Abstractions;

namespace Apart.Imaging.Clonezilla;

/// <summary>
/// Whole disks as Clonezilla 5 saves them (<c>ocs-sr savedisk</c>), so that Clonezilla and
/// Rescuezilla restore Apart's images and Apart restores theirs: the table (<c>SDX-pt.sf</c>,
/// <c>SDX-pt.parted</c>), the boot sector (<c>SDX-mbr</c>), GPT's copies or dos's hidden data after
/// the MBR and extended boot records, swap's UUID and label, <c>disk</c> and <c>parts</c>, and one
/// partclone image per data partition in pieces (<c>SDXN.FS-ptcl-img.COMP.aa</c>). Apart adds a
/// manifest of every file's size (<c>apart-img</c>) and their checksums (<c>B2SUMS</c>, as -gb).
/// </summary>
public sealed class ClonezillaImager : IDiskImager
{
    private const string Gpt = "gpt";
    private const string Dos = "dos";
    private const int BootCodeLength = 446;
    private const int GptFirstSectors = 34;

    // What Clonezilla copies of the GPT backup: the last 32 sectors (its own count, kept so that
    // the file is the same as Clonezilla's; no restore here reads it).
    private const int GptSecondSectors = 32;
    private const int GptBackupSectors = 33;
    private const long HiddenDataLimit = 1024L * 1024 * 1024;

    // partclone_support_fs in Clonezilla's drbl-ocs.conf, and dd: what its restore runs partclone for.
    private static readonly HashSet<string> ClonezillaFilesystems = new(StringComparer.Ordinal)
    {
        "apfs", "hfs+", "hfsplus", "reiser4", "reiserfs", "xfs", "jfs", "ext2", "ext3", "ext4", "ext4dev", "fat12", "fat16",
        "fat32", "vfat", "ntfs", "ufs", "btrfs", "exfat", "minix", "vmfs3", "vmfs5", "f2fs", "nilfs2", "dd",
    };

    private readonly long _pieceBytes;

    /// <summary>Creates the format, splitting partition images into pieces of <paramref name="pieceMegabytes"/> million bytes.</summary>
    public ClonezillaImager(int pieceMegabytes = PieceSize.DefaultMegabytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceMegabytes);
        _pieceBytes = pieceMegabytes * 1_000_000L;
    }

    /// <inheritdoc/>
    public string? CannotSave(string table) => table is Gpt or Dos ? null : $"Clonezilla's image format keeps gpt and dos partition tables, not {table}";

    /// <inheritdoc/>
    public string? CannotHold(string imagerFormat) =>
        ClonezillaFilesystems.Contains(imagerFormat) ? null : $"Clonezilla restores partclone images of its own filesystems, not '{imagerFormat}' images";

    /// <inheritdoc/>
    public async Task<DiskImage> SaveLayoutAsync(DeviceExtent disk, IReadOnlyList<PartDevice> parts, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(parts);
        var name = ClonezillaNames.InFileName(DeviceName(disk.Path));
        var dump = await Tools.OutputAsync("sfdisk", ["--dump", disk.Path], cancellationToken).ConfigureAwait(false);
        var script = PartitionScript.Parse(dump);
        if (CannotSave(script.Label) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var sector = script.SectorSize;
        await WriteTextAsync(directory, ClonezillaNames.PartitionTable(name), dump, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(directory, ClonezillaNames.PartedTable(name), await Tools.OutputAsync("parted", ["-s", disk.Path, "unit", "s", "print"], cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(directory, ClonezillaNames.PartedCompact(name), await Tools.OutputAsync("parted", ["-s", disk.Path, "unit", "compact", "print"], cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(directory, ClonezillaNames.Geometry(name), Geometry(await Tools.OutputAsync("sfdisk", ["-g", disk.Path], cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        await CopyAsync(disk, 0, 512, Path.Join(directory, ClonezillaNames.BootSector(name)), cancellationToken).ConfigureAwait(false);
        if (script.Label == Gpt)
        {
            var sectors = disk.Size / sector;
            await CopyAsync(disk, 0, GptFirstSectors * sector, Path.Join(directory, ClonezillaNames.GptFirst(name)), cancellationToken).ConfigureAwait(false);
            await CopyAsync(disk, (sectors - GptSecondSectors) * sector, GptSecondSectors * sector, Path.Join(directory, ClonezillaNames.GptSecond(name)), cancellationToken).ConfigureAwait(false);
            await Tools.OutputAsync("sgdisk", ["-b", Path.Join(directory, ClonezillaNames.GptBackup(name)), disk.Path], cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(directory, ClonezillaNames.GptPrint(name), await Tools.OutputAsync("sgdisk", ["-p", disk.Path], cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        else if (script.Partitions.Count > 0)
        {
            // The gap between the MBR and the first partition: boot loaders (GRUB's core.img) live there.
            var hidden = (script.Partitions.Min(p => p.Start) - 1) * sector;
            if (hidden is > 0 and < HiddenDataLimit)
            {
                await CopyAsync(disk, sector, hidden, Path.Join(directory, ClonezillaNames.HiddenDataAfterMbr(name)), cancellationToken).ConfigureAwait(false);
            }

            foreach (var extended in script.Partitions.Where(p => p.IsContainer))
            {
                await CopyAsync(disk, extended.Start * sector, 512, Path.Join(directory, ClonezillaNames.ExtendedBootRecord(ClonezillaNames.InFileName(extended.Name))), cancellationToken).ConfigureAwait(false);
            }
        }

        var listed = parts.ToDictionary(part => part.Name, StringComparer.Ordinal);
        var imageParts = script.Partitions.Select(entry =>
        {
            var part = listed.GetValueOrDefault(entry.Name);
            var role = entry.IsContainer ? PartRole.Container
                : part?.FsType == "swap" || (part?.FsType is null && entry.IsSwapType) ? PartRole.Swap
                : PartRole.Data;
            return new DiskImagePart(ClonezillaNames.InFileName(entry.Name), entry.Start * sector, entry.Size * sector, role)
            {
                FsType = part?.FsType,
                Uuid = part?.Uuid,
                Label = part?.Label,
            };
        }).ToList();

        foreach (var swap in imageParts.Where(p => p.Role == PartRole.Swap))
        {
            await WriteTextAsync(directory, ClonezillaNames.SwapInfo(swap.Name), $"UUID=\"{swap.Uuid}\"\nLABEL=\"{swap.Label}\"\n", cancellationToken).ConfigureAwait(false);
        }

        await WriteTextAsync(directory, ClonezillaNames.BlkidList, BlkidList(disk.Path, script, imageParts), cancellationToken).ConfigureAwait(false);
        var lsblk = await Tools.RunAsync("lsblk", ["-o", "KNAME,NAME,SIZE,TYPE,FSTYPE,MOUNTPOINT,MODEL", disk.Path], cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(directory, ClonezillaNames.BlockDevices, lsblk.StandardOutput, cancellationToken).ConfigureAwait(false);
        return new DiskImage(directory, name, script.Label, disk.Size, imageParts) { RequiredSize = RequiredSize(script) };
    }

    /// <inheritdoc/>
    public CommandLine WritePartition(DiskImage image, DiskImagePart part, string imagerFormat, string codecExtension)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(part);
        var prefix = Path.Join(image.Directory, ClonezillaNames.ImagePrefix(part.Name, imagerFormat, Compression.SuffixFor(codecExtension)));
        return new CommandLine(Tools.Locate("split"), ["-a", "2", "-b", _pieceBytes.ToString(CultureInfo.InvariantCulture), "-", prefix]);
    }

    /// <inheritdoc/>
    public async Task FinishAsync(DiskImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var data = image.Parts.Where(part => part.Role == PartRole.Data).ToList();
        await WriteTextAsync(image.Directory, ClonezillaNames.Parts, string.Join(' ', data.Select(part => part.Name)) + "\n", cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(image.Directory, ClonezillaNames.DeviceFilesystems, DeviceFilesystems(image, data), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(image.Directory, ClonezillaNames.Disk, image.DiskName + "\n", cancellationToken).ConfigureAwait(false);

        var files = Files(image.Directory).Where(file => file is not (ClonezillaNames.ApartManifest or ClonezillaNames.Checksums)).ToList();
        var manifest = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"# Apart disk image of /dev/{image.DiskName} ({image.Table}, {image.DiskSize} bytes), saved {DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'}.\n")
            .Append("# Clonezilla's image directory; every file but this one and B2SUMS (their BLAKE2b checksums), with its size in bytes:\n");
        foreach (var file in files)
        {
            manifest.Append(CultureInfo.InvariantCulture, $"{new FileInfo(Path.Join(image.Directory, file)).Length} {file}\n");
        }

        await WriteTextAsync(image.Directory, ClonezillaNames.ApartManifest, manifest.ToString(), cancellationToken).ConfigureAwait(false);
        var sums = await Tools.OutputAsync("b2sum", ["--", .. files, ClonezillaNames.ApartManifest], cancellationToken, workingDirectory: image.Directory).ConfigureAwait(false);
        await WriteTextAsync(image.Directory, ClonezillaNames.Checksums, sums, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<DiskImage?> ReadAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var partsFile = Path.Join(directory, ClonezillaNames.Parts);
        if (!File.Exists(partsFile))
        {
            return null;
        }

        var saved = (await File.ReadAllTextAsync(partsFile, cancellationToken).ConfigureAwait(false))
            .Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .ToList();
        var diskFile = Path.Join(directory, ClonezillaNames.Disk);
        if (!File.Exists(diskFile))
        {
            // Some partitions only (saveparts): their images, and nothing about a disk.
            return new DiskImage(directory, null, null, 0, saved.Select(name => ImagedPart(directory, name, new DiskImagePart(name, 0, 0, PartRole.Data))).ToList());
        }

        var disks = (await File.ReadAllTextAsync(diskFile, cancellationToken).ConfigureAwait(false)).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (disks.Length != 1)
        {
            throw new InvalidDataException(disks.Length == 0 ? "its 'disk' file names no disk" : $"it holds {disks.Length} disks ({string.Join(", ", disks)}); Apart restores one disk at a time");
        }

        if (File.Exists(Path.Join(directory, ClonezillaNames.LvmVolumeGroups)))
        {
            throw new InvalidDataException("it holds LVM logical volumes, imaged one by one; Apart restores partitions, not volume groups");
        }

        var name = disks[0];
        var tableFile = Path.Join(directory, ClonezillaNames.PartitionTable(name));
        if (!File.Exists(tableFile))
        {
            throw new InvalidDataException($"its partition table, {ClonezillaNames.PartitionTable(name)}, is missing");
        }

        var script = PartitionScript.Parse(await File.ReadAllTextAsync(tableFile, cancellationToken).ConfigureAwait(false));
        var sector = script.SectorSize;
        var parted = Path.Join(directory, ClonezillaNames.PartedTable(name));
        var partedText = File.Exists(parted) ? await File.ReadAllTextAsync(parted, cancellationToken).ConfigureAwait(false) : "";
        var parts = new List<DiskImagePart>();
        foreach (var entry in script.Partitions)
        {
            var partName = ClonezillaNames.InFileName(entry.Name);
            var part = new DiskImagePart(partName, entry.Start * sector, entry.Size * sector, PartRole.Data);
            var swapInfo = Path.Join(directory, ClonezillaNames.SwapInfo(partName));
            if (entry.IsContainer)
            {
                part = part with { Role = PartRole.Container };
            }
            else if (saved.Contains(partName))
            {
                part = ImagedPart(directory, partName, part);
            }
            else if (File.Exists(swapInfo))
            {
                var (uuid, label) = ReadSwapInfo(await File.ReadAllTextAsync(swapInfo, cancellationToken).ConfigureAwait(false));
                part = part with { Role = PartRole.Swap, Uuid = uuid, Label = label, FsType = "swap" };
            }
            else if (entry.IsSwapType || PartedSaysSwap(partedText, entry.Number))
            {
                part = part with { Role = PartRole.Swap, FsType = "swap" };
            }

            parts.Add(part);
        }

        return new DiskImage(directory, name, script.Label, PartedDiskSize(partedText) ?? 0, parts)
        {
            RequiredSize = RequiredSize(script),
            WrittenFiles = await WrittenFilesAsync(directory, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <inheritdoc/>
    public DiskImagePart? ReadPartition(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(path);
        if (directory is null || ClonezillaNames.ReadImageName(Path.GetFileName(path)) is not { } name)
        {
            return null;
        }

        return ImagedPart(directory, name.Partition, new DiskImagePart(name.Partition, 0, 0, PartRole.Data));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Pieces are <c>.aa</c>, <c>.ab</c>, … with none missing between; their sizes are those
    /// Apart's manifest records (without one, every piece but a partition's last is as long as its
    /// first); with <paramref name="contents"/>, the checksum files (B2SUMS, SHA1SUMS, MD5SUMS)
    /// are checked by b2sum/sha1sum/md5sum, for the files of these partitions (and, for a whole
    /// disk, every file they list).
    /// </remarks>
    public async Task<PieceCheck> CheckPiecesAsync(DiskImage image, bool contents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var data = image.Parts.Where(p => p.Role == PartRole.Data && p.Pieces.Count > 0).ToList();
        foreach (var part in data)
        {
            if (PieceGap(part) is { } gap)
            {
                return new PieceCheck(gap, Recorded: false);
            }
        }

        // What is checked: a disk image's every file; a partition image's own pieces.
        var pieces = data.SelectMany(part => part.Pieces).Select(piece => Path.GetFileName(piece)).ToHashSet(StringComparer.Ordinal);
        bool Wanted(string file) => image.DiskName is not null || pieces.Contains(file);
        var manifest = Path.Join(image.Directory, ClonezillaNames.ApartManifest);
        if (File.Exists(manifest))
        {
            foreach (var (size, file) in ReadManifest(await File.ReadAllTextAsync(manifest, cancellationToken).ConfigureAwait(false)).Where(entry => Wanted(entry.File)))
            {
                var info = new FileInfo(Path.Join(image.Directory, file));
                if (!info.Exists)
                {
                    return new PieceCheck($"{file} is missing from the image", Recorded: true);
                }

                if (info.Length != size)
                {
                    return new PieceCheck($"{file} is {(info.Length < size ? "truncated" : "longer than written")}: it holds {info.Length} bytes, {size} were written", Recorded: true);
                }
            }
        }
        else if (ShortPiece(data) is { } shortPiece)
        {
            return new PieceCheck(shortPiece, Recorded: false);
        }

        foreach (var (file, program) in ClonezillaNames.ChecksumFiles)
        {
            var path = Path.Join(image.Directory, file);
            if (!File.Exists(path))
            {
                continue;
            }

            var lines = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => ChecksumLineFile(line) is { } listed && Wanted(listed))
                .ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            if (!contents)
            {
                return new PieceCheck(null, Recorded: true);
            }

            var result = await Tools.RunAsync(program, ["--check", "--quiet", "-"], cancellationToken, input: string.Join('\n', lines) + "\n", workingDirectory: image.Directory).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return PieceCheck.Whole;
            }

            var failed = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(": ", 2))
                .FirstOrDefault(fields => fields.Length == 2);
            return new PieceCheck(
                failed is null
                    ? $"its checksums ({file}) do not match: {Tools.LastWords(result)}"
                    : failed[1].StartsWith("FAILED open", StringComparison.Ordinal)
                        ? $"{failed[0]} is missing from the image (it is listed in {file})"
                        : $"{failed[0]} is damaged: its checksum is not the one recorded in {file}",
                Recorded: true);
        }

        return PieceCheck.Unrecorded;
    }

    // "HASH  name" (text mode) or "HASH *name" (binary mode), as the *sum programs write them.
    private static string? ChecksumLineFile(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 || line.Length < space + 2 ? null : line[(space + 2)..];
    }

    /// <inheritdoc/>
    public CommandLine ReadPieces(DiskImagePart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return new CommandLine(Tools.Locate("cat"), ["--", .. part.Pieces]);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<DiskImagePart>> RestoreLayoutAsync(DiskImage image, DeviceExtent disk, bool grow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(disk);
        var name = image.DiskName ?? throw new InvalidOperationException("an image of partitions only has no table to write");
        var script = PartitionScript.Parse(await File.ReadAllTextAsync(Path.Join(image.Directory, ClonezillaNames.PartitionTable(name)), cancellationToken).ConfigureAwait(false));
        var sector = script.SectorSize;

        // Old tables go first, at both ends: a stale GPT backup at the end of a disk given a dos table would confuse every tool.
        await ZeroAsync(disk, 0, GptFirstSectors * sector, cancellationToken).ConfigureAwait(false);
        await ZeroAsync(disk, (disk.Size / sector - GptBackupSectors) * sector, GptBackupSectors * sector, cancellationToken).ConfigureAwait(false);
        var last = grow ? script.Partitions.Where(p => !p.IsContainer).MaxBy(p => p.Start) : null;
        await Tools.OutputAsync(
            "sfdisk",
            ["--no-reread", "--no-tell-kernel", "--force", "--wipe", "always", "--wipe-partitions", "always", disk.Path],
            cancellationToken,
            input: script.ForDisk(last)).ConfigureAwait(false);

        // The boot code (the table itself is sfdisk's), the gap after the MBR, the extended boot records.
        await CopyBackAsync(Path.Join(image.Directory, ClonezillaNames.BootSector(name)), BootCodeLength, disk, 0, cancellationToken).ConfigureAwait(false);
        var written = PartitionScript.Parse(await Tools.OutputAsync("sfdisk", ["--dump", disk.Path], cancellationToken).ConfigureAwait(false));
        if (script.Label == Dos && written.Partitions.Count > 0)
        {
            var hidden = Path.Join(image.Directory, ClonezillaNames.HiddenDataAfterMbr(name));
            if (File.Exists(hidden) && new FileInfo(hidden).Length <= (written.Partitions.Min(p => p.Start) - 1) * sector)
            {
                await CopyBackAsync(hidden, new FileInfo(hidden).Length, disk, sector, cancellationToken).ConfigureAwait(false);
            }

            foreach (var extended in written.Partitions.Where(p => p.IsContainer))
            {
                var sourceName = image.Parts.FirstOrDefault(p => p.Role == PartRole.Container && Number(p.Name) == extended.Number)?.Name;
                var ebr = sourceName is null ? null : Path.Join(image.Directory, ClonezillaNames.ExtendedBootRecord(sourceName));
                if (ebr is not null && File.Exists(ebr))
                {
                    await CopyBackAsync(ebr, BootCodeLength, disk, extended.Start * sector, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var target = DeviceName(disk.Path);
        return image.Parts.Select(part =>
        {
            var number = Number(part.Name);
            var now = written.Partitions.FirstOrDefault(p => p.Number == number)
                ?? throw new InvalidOperationException($"sfdisk did not make partition {number} of {disk.Path}");
            return part with { Name = PartitionName(target, number), Start = now.Start * sector, Size = now.Size * sector };
        }).ToList();
    }

    /// <inheritdoc/>
    public async Task RestoreSwapAsync(DiskImagePart swap, DeviceExtent device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(swap);
        ArgumentNullException.ThrowIfNull(device);
        var arguments = new List<string>();
        if (!string.IsNullOrEmpty(swap.Label))
        {
            arguments.AddRange(["-L", swap.Label]);
        }

        if (!string.IsNullOrEmpty(swap.Uuid))
        {
            arguments.AddRange(["-U", swap.Uuid]);
        }

        arguments.Add(device.Path);
        await Tools.OutputAsync("mkswap", arguments, cancellationToken).ConfigureAwait(false);
    }

    // A data partition's image files: pieces .aa, .ab, … (or one unsplit file), of one filesystem and compression.
    private static DiskImagePart ImagedPart(string directory, string name, DiskImagePart part)
    {
        var files = Files(directory)
            .Select(file => (File: file, Name: ClonezillaNames.ReadImageName(file)))
            .Where(entry => entry.Name is { } n && n.Partition == name)
            .ToList();
        var kinds = files.Select(entry => (entry.Name!.Value.Filesystem, entry.Name!.Value.Suffix)).Distinct().ToList();
        if (kinds.Count > 1)
        {
            throw new InvalidDataException($"{name} has images of {kinds.Count} kinds ({string.Join(", ", kinds.Select(k => $"{k.Filesystem}.{k.Suffix}"))}): which one to restore is not clear");
        }

        if (kinds.Count == 0)
        {
            return part with { Pieces = [] };
        }

        var pieces = files
            .OrderBy(entry => entry.Name!.Value.Piece?.Length ?? 0)
            .ThenBy(entry => entry.Name!.Value.Piece, StringComparer.Ordinal)
            .Select(entry => Path.Join(directory, entry.File))
            .ToList();
        return part with { Format = kinds[0].Filesystem, CodecExtension = Compression.CodecExtensionOf(kinds[0].Suffix), Pieces = pieces };
    }

    // Pieces are aa, ab, …: one missing in the middle is a hole in the image.
    private static string? PieceGap(DiskImagePart part)
    {
        var suffixes = part.Pieces.Select(piece => ClonezillaNames.ReadImageName(Path.GetFileName(piece))?.Piece).ToList();
        if (suffixes.Count == 1 && suffixes[0] is null)
        {
            return null;
        }

        for (var i = 0; i < suffixes.Count; i++)
        {
            var expected = PieceSuffix(i, suffixes[0]?.Length ?? 2);
            if (suffixes[i] != expected)
            {
                var prefix = Path.GetFileName(part.Pieces[0])[..^(suffixes[0]?.Length ?? 0)];
                return $"{prefix}{expected} is missing from the image";
            }
        }

        return null;
    }

    // Without recorded sizes: every piece but the last of a partition is as long as the first.
    private static string? ShortPiece(IEnumerable<DiskImagePart> data)
    {
        foreach (var part in data.Where(p => p.Pieces.Count > 1))
        {
            var first = new FileInfo(part.Pieces[0]).Length;
            foreach (var piece in part.Pieces.Skip(1).SkipLast(1))
            {
                if (new FileInfo(piece).Length != first)
                {
                    return $"{Path.GetFileName(piece)} is truncated: it is shorter than the pieces before it";
                }
            }
        }

        return null;
    }

    private static string PieceSuffix(int index, int length)
    {
        var letters = new char[length];
        for (var i = length - 1; i >= 0; i--)
        {
            letters[i] = (char)('a' + (index % 26));
            index /= 26;
        }

        return new string(letters);
    }

    // What Apart's manifest says it wrote, the manifest and its checksums included.
    private static async Task<IReadOnlyList<string>> WrittenFilesAsync(string directory, CancellationToken cancellationToken)
    {
        var manifest = Path.Join(directory, ClonezillaNames.ApartManifest);
        if (!File.Exists(manifest))
        {
            return [];
        }

        var listed = ReadManifest(await File.ReadAllTextAsync(manifest, cancellationToken).ConfigureAwait(false)).Select(entry => entry.File);
        return [.. listed, ClonezillaNames.ApartManifest, ClonezillaNames.Checksums];
    }

    private static IEnumerable<(long Size, string File)> ReadManifest(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            // Only names of files in the directory itself: the list decides what delete-clone removes.
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var file = space < 0 ? "" : line[(space + 1)..];
            if (space > 0 && long.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                && file is not ("" or "." or "..") && file.AsSpan().IndexOfAny('/', '\0') < 0)
            {
                yield return (size, file);
            }
        }
    }

    private static (string? Uuid, string? Label) ReadSwapInfo(string text)
    {
        string? Value(string key) => text.Split('\n')
            .Where(line => line.StartsWith(key + "=", StringComparison.Ordinal))
            .Select(line => line[(key.Length + 1)..].Trim().Trim('"'))
            .FirstOrDefault(value => value.Length > 0);
        return (Value("UUID"), Value("LABEL"));
    }

    // pt.parted rows: " 3      329728s  395263s  65536s   linux-swap(v1)  swap  swap".
    private static bool PartedSaysSwap(string parted, int number) => parted.Split('\n').Any(line =>
        line.TrimStart().StartsWith(number.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal)
        && line.Contains("linux-swap", StringComparison.Ordinal));

    // "Disk /dev/sda: 614400s" and "Sector size (logical/physical): 512B/512B".
    private static long? PartedDiskSize(string parted)
    {
        var disk = parted.Split('\n').FirstOrDefault(line => line.StartsWith("Disk /dev/", StringComparison.Ordinal));
        var value = disk?[(disk.LastIndexOf(':') + 1)..].Trim().TrimEnd('s');
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sectors) ? sectors * 512 : null;
    }

    private static long RequiredSize(PartitionScript script) =>
        script.Partitions.Count == 0 ? 0
            : (script.Partitions.Max(p => p.Start + p.Size) + (script.Label == Gpt ? GptBackupSectors : 0)) * script.SectorSize;

    // "/dev/loop0: 20 cylinders, 255 heads, 63 sectors/track" → Clonezilla's chs.sf.
    private static string Geometry(string sfdiskGeometry)
    {
        var numbers = sfdiskGeometry[(sfdiskGeometry.IndexOf(':') + 1)..].Split(',').Select(part => part.Trim().Split(' ')[0]).ToArray();
        return numbers.Length == 3 ? $"cylinders={numbers[0]}\nheads={numbers[1]}\nsectors={numbers[2]}\n" : "";
    }

    private static string BlkidList(string diskPath, PartitionScript script, IReadOnlyList<DiskImagePart> parts)
    {
        var text = new StringBuilder();
        var id = script.Headers.GetValueOrDefault("label-id")?.ToLowerInvariant();
        text.Append(CultureInfo.InvariantCulture, $"{diskPath}: PTUUID=\"{id}\" PTTYPE=\"{script.Label}\"\n");
        foreach (var part in parts.Where(p => p.FsType is not null))
        {
            var label = part.Label is null ? "" : $"LABEL=\"{part.Label}\" ";
            var uuid = part.Uuid is null ? "" : $"UUID=\"{part.Uuid}\" ";
            text.Append(CultureInfo.InvariantCulture, $"/dev/{part.Name}: {label}{uuid}TYPE=\"{part.FsType}\"\n");
        }

        return text.ToString();
    }

    private static string DeviceFilesystems(DiskImage image, IEnumerable<DiskImagePart> data)
    {
        var text = new StringBuilder("# <Device name>   <File system>   <Size>\n# File system is got from ocs-get-dev-info. It might be different from that of blkid or parted.\n");
        foreach (var part in data.Concat(image.Parts.Where(p => p.Role == PartRole.Swap)))
        {
            var filesystem = part.Role == PartRole.Swap ? "swap" : part.Format ?? part.FsType ?? "dd";
            text.Append(CultureInfo.InvariantCulture, $"/dev/{part.Name} {filesystem} {HumanSize(part.Size)}\n");
        }

        return text.ToString();
    }

    // As lsblk writes sizes: 32M, 1.5G.
    private static string HumanSize(long bytes)
    {
        string[] units = ["B", "K", "M", "G", "T", "P"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value >= 10 || value == Math.Floor(value) ? "0" : "0.#", CultureInfo.InvariantCulture) + units[unit];
    }

    private static int Number(string partition)
    {
        var digits = partition.Length - partition.AsSpan().TrimEnd("0123456789").Length;
        return digits == 0 ? 0 : int.Parse(partition.AsSpan(partition.Length - digits), CultureInfo.InvariantCulture);
    }

    private static string PartitionName(string disk, int number) => char.IsAsciiDigit(disk[^1]) ? $"{disk}p{number}" : $"{disk}{number}";

    private static string DeviceName(string path) => path.StartsWith("/dev/", StringComparison.Ordinal) ? path["/dev/".Length..] : Path.GetFileName(path);

    private static IEnumerable<string> Files(string directory) =>
        Directory.EnumerateFiles(directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal);

    private static readonly FileStreamOptions OwnerOnlyWrite = new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        UnixCreateMode = FileModes.OwnerOnly,
    };

    private static async Task WriteTextAsync(string directory, string name, string text, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.Join(directory, name), OwnerOnlyWrite);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        }
    }

    // Some of the disk (its boot areas, the gap after the MBR) into a new file of the image, by dd: not through the heap.
    private static async Task CopyAsync(DeviceExtent disk, long offset, long length, string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            throw new IOException($"{path} already exists");
        }

        await Tools.OutputAsync(
            "dd",
            [$"if={disk.Path}", $"of={path}", "bs=1M", "iflag=skip_bytes,count_bytes", $"skip={offset}", $"count={length}", "status=none"],
            cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(path, FileModes.OwnerOnly);
    }

    // A file of the image (its first maxLength bytes) back onto the disk at offset, by dd.
    private static async Task CopyBackAsync(string path, long maxLength, DeviceExtent disk, long offset, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return;
        }

        await Tools.OutputAsync(
            "dd",
            [$"if={path}", $"of={disk.Path}", "bs=1M", "iflag=count_bytes", "oflag=seek_bytes", $"count={maxLength}", $"seek={offset}", "conv=notrunc,fsync", "status=none"],
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task ZeroAsync(DeviceExtent disk, long offset, long length, CancellationToken cancellationToken)
    {
        if (offset < 0 || offset + length > disk.Size)
        {
            return;
        }

        var target = new FileStream(disk.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        await using (target.ConfigureAwait(false))
        {
            target.Position = offset;
            await target.WriteAsync(new byte[length], cancellationToken).ConfigureAwait(false);
        }
    }
}
