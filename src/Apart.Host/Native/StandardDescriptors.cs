using Apart.Abstractions;
using static Tmds.Linux.LibC;

namespace Apart.Host.Native;

/// <summary>Makes sure descriptors 0, 1 and 2 are open.</summary>
internal static unsafe class StandardDescriptors
{
    /// <summary>
    /// A core started with a standard descriptor closed would hand that number to the next file
    /// it opens — an image file could become "standard output". Filling the gaps with /dev/null
    /// first rules that out.
    /// </summary>
    public static void EnsureOpen()
    {
        for (var fd = 0; fd <= 2; fd++)
        {
            if (fcntl(fd, F_GETFD) == -1)
            {
                fixed (byte* path = NativeText.NullTerminated("/dev/null"))
                {
                    _ = open(path, O_RDWR); // takes the lowest free number: this one
                }
            }
        }
    }
}
