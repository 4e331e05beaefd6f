using Apart.Abstractions;
using Apart.Host.Native;

namespace Apart.Host.Jobs;

/// <summary>
/// Grows a filesystem just restored to a larger part (<c>grow: true</c>), through a loop device of
/// the core's that its tools may mount. Growing is the last step of a restore whose data is all
/// written: a filesystem that cannot grow, or a tool that fails, leaves it at its size, and the
/// success message says so rather than calling the restore a failure.
/// </summary>
internal static class PartGrowth
{
    /// <summary>Null when the filesystem grew; otherwise the note saying why it was left at its size.</summary>
    /// <param name="imager">The imager that restored it.</param>
    /// <param name="format">The image's format.</param>
    /// <param name="part">The part's name, for the note (<c>sdc3</c>).</param>
    /// <param name="mapMountable">Makes the mountable loop device over the restored part.</param>
    /// <param name="cancellationToken">Stops the growing (the job is cancelled).</param>
    public static async Task<string?> GrowAsync(IImager imager, string format, string part, Func<LoopDevice> mapMountable, CancellationToken cancellationToken)
    {
        string? reason;
        using (var mountable = mapMountable())
        {
            try
            {
                reason = await imager.GrowAsync(format, mountable.Extent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                reason = e.Message;
            }

            mountable.Flush();
        }

        return reason is null ? null : $"The filesystem on {part} was left at its size: {reason}.";
    }
}
