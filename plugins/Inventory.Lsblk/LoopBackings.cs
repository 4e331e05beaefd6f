using System.Globalization;

namespace Apart.Inventory.Lsblk;

/// <summary>What a loop device maps: its backing file and the range of it.</summary>
/// <param name="BackingFile">The file or device it maps, as sysfs names it.</param>
/// <param name="Offset">Where in it the loop device starts, in bytes.</param>
internal sealed record LoopBacking(string BackingFile, long Offset);

/// <summary>The loop devices attached now, by name, as sysfs tells (unit tests replace it).</summary>
internal interface ILoopBackings
{
    IReadOnlyDictionary<string, LoopBacking> Read();
}

/// <summary>Reads <c>/sys/block/loopN/loop/{backing_file,offset}</c>.</summary>
internal sealed class SysfsLoopBackings(string sysBlock = "/sys/block") : ILoopBackings
{
    public IReadOnlyDictionary<string, LoopBacking> Read()
    {
        var found = new Dictionary<string, LoopBacking>(StringComparer.Ordinal);
        if (!Directory.Exists(sysBlock))
        {
            return found;
        }

        foreach (var device in Directory.EnumerateDirectories(sysBlock, "loop*"))
        {
            try
            {
                var loop = Path.Join(device, "loop");
                if (!File.Exists(Path.Join(loop, "backing_file")))
                {
                    continue; // not attached
                }

                var backing = File.ReadAllText(Path.Join(loop, "backing_file")).Trim();
                var offset = long.Parse(File.ReadAllText(Path.Join(loop, "offset")).Trim(), CultureInfo.InvariantCulture);
                found[Path.GetFileName(device)] = new LoopBacking(backing, offset);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Detached while we looked: nothing to say about it.
            }
        }

        return found;
    }
}
