namespace Apart.Inventory.Lsblk.Tests;

/// <summary>A blkid that answers from a table and remembers what it was asked.</summary>
internal sealed class FakeProbe(
    IReadOnlyDictionary<string, FilesystemSignature>? findings = null,
    IReadOnlyDictionary<(string Device, long Offset), FilesystemSignature>? ranges = null) : IFilesystemProbe
{
    private readonly IReadOnlyDictionary<string, FilesystemSignature> _findings =
        findings ?? new Dictionary<string, FilesystemSignature>();

    private readonly List<IReadOnlyList<string>> _calls = [];

    public IReadOnlyList<IReadOnlyList<string>> Calls => _calls;

    /// <summary>The paths of the only call; fails when there was not exactly one.</summary>
    public IReadOnlyList<string> Asked => Assert.Single(_calls);

    public Task<IReadOnlyDictionary<string, FilesystemSignature>> ProbeAsync(
        IReadOnlyCollection<string> devicePaths, CancellationToken cancellationToken = default)
    {
        _calls.Add([.. devicePaths]);
        IReadOnlyDictionary<string, FilesystemSignature> found = _findings
            .Where(pair => devicePaths.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        return Task.FromResult(found);
    }

    public Task<FilesystemSignature?> ProbeRangeAsync(string devicePath, long offset, long size, CancellationToken cancellationToken = default) =>
        Task.FromResult(ranges?.GetValueOrDefault((devicePath, offset)));
}
