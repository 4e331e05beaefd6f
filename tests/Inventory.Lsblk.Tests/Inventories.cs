using Apart.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>Runs the real inventory over a fixture printed by a stand-in lsblk, with a fake blkid.</summary>
internal static class Inventories
{
    public static Task<IReadOnlyList<SourceDevice>> ListAsync(string fixture, FakeProbe? probe = null) =>
        new LsblkInventory(StandIns.Printing(fixture), probe ?? new FakeProbe(), NullLogger.Instance).ListSourcesAsync();

    public static SourceDevice Source(this IReadOnlyList<SourceDevice> sources, string name) =>
        Assert.Single(sources, source => source.Name == name);

    public static PartDevice Part(this IReadOnlyList<SourceDevice> sources, string name) =>
        Assert.Single(sources.SelectMany(source => source.Parts), part => part.Name == name);

    /// <summary>The sources a status message shows: those with something on them (not blank).</summary>
    public static IEnumerable<string> Names(this IReadOnlyList<SourceDevice> sources) =>
        sources.Where(source => source.Parts.Any(part => !part.Unformatted)).Select(source => source.Name);

    /// <summary>Whole devices holding nothing, listed only as restore targets.</summary>
    public static IEnumerable<string> UnformattedNames(this IReadOnlyList<SourceDevice> sources) =>
        sources.Where(source => source.Parts.All(part => part.Unformatted)).Select(source => source.Name);

    public static IEnumerable<string> PartNames(this SourceDevice source) => source.Parts.Select(part => part.Name);
}
