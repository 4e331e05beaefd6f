using Apart.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>
/// A disk image format made of coreutils: the layout is a file naming the disk, each data
/// partition one file <c>NAME.FORMAT.CODEC</c> written by dd and read by cat; what the test
/// says about pieces and layouts is what it answers.
/// </summary>
internal sealed class FakeDiskImager : IDiskImager
{
    public const string Layout = "layout";

    /// <summary>The partitions a saved layout has: by default every listed part, as data.</summary>
    public Func<IReadOnlyList<PartDevice>, IReadOnlyList<DiskImagePart>>? PartsOf { get; set; }

    /// <summary>Overrides what the piece check answers: (contents) → answer.</summary>
    public Func<bool, PieceCheck>? CheckWith { get; set; }

    public List<bool> Checks { get; } = [];

    /// <summary>Layouts written: (image directory, disk).</summary>
    public List<(string Image, DeviceExtent Disk)> LayoutsRestored { get; } = [];

    public List<DeviceExtent> Swaps { get; } = [];

    public string? CannotSave(string table) => table == "gpt" ? null : $"fake images keep gpt tables, not {table}";

    /// <summary>The one imager format the format holds.</summary>
    public string Holds { get; set; } = FakeImager.Format;

    public string? CannotHold(string imagerFormat) => imagerFormat == Holds ? null : $"fake images hold {Holds} partitions, not {imagerFormat}";

    public async Task<DiskImage> SaveLayoutAsync(DeviceExtent disk, IReadOnlyList<PartDevice> parts, string directory, CancellationToken cancellationToken = default)
    {
        await File.WriteAllTextAsync(Path.Join(directory, Layout), $"{disk.Path} {disk.Size}\n", cancellationToken);
        var saved = PartsOf?.Invoke(parts) ?? [.. parts.Select(part => new DiskImagePart(part.Name, part.Start ?? 0, part.Size, PartRole.Data))];
        return new DiskImage(directory, Path.GetFileName(disk.Path), "gpt", disk.Size, saved) { RequiredSize = saved.Max(part => part.Start + part.Size) };
    }

    public CommandLine WritePartition(DiskImage image, DiskImagePart part, string imagerFormat, string codecExtension) =>
        new("dd", [$"of={Path.Join(image.Directory, $"{part.Name}.{imagerFormat}.{codecExtension}")}", "bs=64K", "status=none"]);

    public async Task FinishAsync(DiskImage image, CancellationToken cancellationToken = default) =>
        await File.WriteAllTextAsync(Path.Join(image.Directory, "parts"), string.Join(' ', image.Parts.Select(part => $"{part.Name}:{part.Start}:{part.Size}:{part.Format}")) + "\n", cancellationToken);

    public async Task<DiskImage?> ReadAsync(string directory, CancellationToken cancellationToken = default)
    {
        var partsFile = Path.Join(directory, "parts");
        if (!File.Exists(partsFile))
        {
            return null;
        }

        var parts = (await File.ReadAllTextAsync(partsFile, cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split(':'))
            .Select(fields => new DiskImagePart(fields[0], long.Parse(fields[1]), long.Parse(fields[2]), PartRole.Data)
            {
                Format = fields[3],
                CodecExtension = "uncompressed",
                Pieces = [Path.Join(directory, $"{fields[0]}.{fields[3]}.uncompressed")],
            })
            .ToList();
        return new DiskImage(directory, File.Exists(Path.Join(directory, Layout)) ? "disk" : null, "gpt", 0, parts)
        {
            RequiredSize = parts.Max(part => part.Start + part.Size),
            WrittenFiles = [Layout, "parts", .. parts.Select(part => Path.GetFileName(part.Pieces[0]))],
        };
    }

    public DiskImagePart? ReadPartition(string path) => null;

    public Task<PieceCheck> CheckPiecesAsync(DiskImage image, bool contents, CancellationToken cancellationToken = default)
    {
        Checks.Add(contents);
        return Task.FromResult(CheckWith?.Invoke(contents) ?? PieceCheck.Whole);
    }

    public CommandLine ReadPieces(DiskImagePart part) => new("cat", ["--", .. part.Pieces]);

    public Task<IReadOnlyList<DiskImagePart>> RestoreLayoutAsync(DiskImage image, DeviceExtent disk, bool grow, CancellationToken cancellationToken = default)
    {
        LayoutsRestored.Add((image.Directory, disk));
        var target = Path.GetFileName(disk.Path);
        return Task.FromResult<IReadOnlyList<DiskImagePart>>([.. image.Parts.Select((part, i) => part with { Name = $"{target}p{i + 1}" })]);
    }

    public Task RestoreSwapAsync(DiskImagePart swap, DeviceExtent device, CancellationToken cancellationToken = default)
    {
        Swaps.Add(device);
        return Task.CompletedTask;
    }
}
