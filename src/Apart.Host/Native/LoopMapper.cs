using System.Collections.Concurrent;
using Apart.Host.Jobs;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Native;

/// <summary>
/// The loop devices the core sets up over parts of devices it holds: each recorded in the
/// journal (a core killed outright has them detached at its next start) and known while it
/// exists, so that the core never lists its own mappings as devices of the machine.
/// </summary>
internal sealed class LoopMapper(InProgressJournal journal)
{
    private readonly ConcurrentDictionary<string, byte> _mapped = new(StringComparer.Ordinal);

    /// <summary>The names (<c>loopN</c>) of the loop devices mapped now.</summary>
    public IReadOnlyCollection<string> Names => [.. _mapped.Keys];

    /// <summary>
    /// Maps <paramref name="size"/> bytes of <paramref name="backing"/> from <paramref name="offset"/>,
    /// read-only unless <paramref name="writable"/>, held exclusively unless not <paramref name="exclusive"/>.
    /// </summary>
    public LoopDevice Map(SafeFileHandle backing, long offset, long size, bool writable, bool exclusive = true) =>
        LoopDevice.Map(backing, offset, size, writable, exclusive, number =>
        {
            var name = $"loop{number}";
            var forget = journal.RecordLoop(number, offset, size);
            _mapped[name] = 0;
            return () =>
            {
                _ = _mapped.TryRemove(name, out _);
                forget();
            };
        });
}
