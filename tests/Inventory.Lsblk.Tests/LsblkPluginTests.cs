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

        var registration = Assert.Single(services, s => s.ServiceType == typeof(IDeviceInventory));
        Assert.Equal(typeof(LsblkInventory), registration.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, registration.Lifetime);
    }

    [Fact]
    public void The_lsblk_command_variable_is_listed_for_the_cores_help()
    {
        var services = new ServiceCollection();

        new LsblkPlugin().Configure(services);

        var help = Assert.IsType<EnvironmentVariableHelp>(Assert.Single(services, s => s.ServiceType == typeof(EnvironmentVariableHelp)).ImplementationInstance);
        Assert.Equal(LsblkInventory.LsblkCommandVariable, help.Name);
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
