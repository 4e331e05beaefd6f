using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Inventory.Lsblk.Tests;

public sealed class LsblkPluginTests
{
    [Fact]
    public void Registers_the_lsblk_inventory_as_the_device_inventory()
    {
        var services = new ServiceCollection();

        new LsblkPlugin().Configure(services);

        var registration = Assert.Single(services);
        Assert.Equal(typeof(IDeviceInventory), registration.ServiceType);
        Assert.Equal(typeof(LsblkInventory), registration.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, registration.Lifetime);
    }

    [Fact]
    public void The_host_container_can_create_it()
    {
        var services = new ServiceCollection().AddLogging();
        new LsblkPlugin().Configure(services);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.IsType<LsblkInventory>(provider.GetRequiredService<IDeviceInventory>());
    }
}
