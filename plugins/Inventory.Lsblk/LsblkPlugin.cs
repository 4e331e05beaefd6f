using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Inventory.Lsblk;

/// <summary>
/// The device inventory read from lsblk (or the program named by <c>APART_LSBLK_CMD</c>), with
/// blkid filling in filesystems where lsblk knows none (no udev).
/// </summary>
public sealed class LsblkPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services)
    {
        services.AddSingleton<IDeviceInventory, LsblkInventory>();
        services.AddSingleton(new EnvironmentVariableHelp(
            LsblkInventory.LsblkCommandVariable, "PATH", "run PATH instead of lsblk to list block devices"));
    }
}
