using Apart.Host.Native;
using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Jobs;

/// <summary>Empties a pipe into /dev/null, counting the bytes.</summary>
internal static class PipeDrain
{
    // Moves the bytes from the pipe to /dev/null inside the kernel (splice), counting them: the
    // core never copies image data.
    public static Task<long> CountAsync(SafeFileHandle readEnd) => Task.Factory.StartNew(
        () => Splice.ToNull(readEnd),
        CancellationToken.None,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default);
}
