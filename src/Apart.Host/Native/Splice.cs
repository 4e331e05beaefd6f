using Microsoft.Win32.SafeHandles;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>Moves pipe data inside the kernel.</summary>
internal static unsafe class Splice
{
    /// <summary>Discards everything a pipe carries until end-of-file; returns the byte count. Owns the read end.</summary>
    public static long ToNull(SafeFileHandle readEnd)
    {
        using (readEnd)
        using (var nothing = NativeFile.Open("/dev/null", O_WRONLY))
        {
            long total = 0;
            while (true)
            {
                var moved = (long)splice(NativeFile.Fd(readEnd), null, NativeFile.Fd(nothing), null, 1024 * 1024, (uint)SPLICE_F_MOVE);
                if (moved == 0)
                {
                    return total;
                }

                if (moved < 0)
                {
                    var errno = Errno.Last;
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    throw Errno.Exception("Cannot read the decompressed image", errno);
                }

                total += moved;
            }
        }
    }
}
