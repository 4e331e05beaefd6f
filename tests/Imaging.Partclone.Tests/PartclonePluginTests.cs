using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Imaging.Partclone.Tests;

public sealed class PartclonePluginTests
{
    [Fact]
    public void The_plugin_registers_the_partclone_imager_and_its_locator()
    {
        var services = new ServiceCollection();

        new PartclonePlugin().Configure(services);

        var imager = Assert.Single(services, s => s.ServiceType == typeof(IImager));
        Assert.Equal(typeof(PartcloneImager), imager.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, imager.Lifetime);
        var locator = Assert.Single(services, s => s.ServiceType == typeof(PartcloneLocator));
        Assert.IsType<PartcloneLocator>(locator.ImplementationFactory!(null!));
        var help = Assert.IsType<EnvironmentVariableHelp>(Assert.Single(services, s => s.ServiceType == typeof(EnvironmentVariableHelp)).ImplementationInstance);
        Assert.Equal(PartcloneLocator.PrefixVariable, help.Name);
    }

    [Fact]
    public void The_same_imager_is_registered_as_the_reader_of_its_images()
    {
        var services = new ServiceCollection();
        new PartclonePlugin().Configure(services);
        var imager = new PartcloneImager(new PartcloneLocator("/x/pcl"));

        var reader = Assert.Single(services, s => s.ServiceType == typeof(IImageReader));

        Assert.Equal(ServiceLifetime.Singleton, reader.Lifetime);
        Assert.Same(imager, reader.ImplementationFactory!(new OneService(typeof(IImager), imager)));
    }

    private sealed class OneService(Type type, object service) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == type ? service : null;
    }

    [Fact]
    public void The_imager_has_one_constructor_for_the_container_to_call() =>
        Assert.Single(typeof(PartcloneImager).GetConstructors());

    [Fact]
    public void Each_run_gets_a_parser_of_its_own()
    {
        var imager = new PartcloneImager(new PartcloneLocator("/x/pcl"));
        var device = new Abstractions.DeviceExtent("/dev/sda1", 1);

        Assert.NotSame(imager.Clone("ext4", device).Progress, imager.Restore("ext4", device).Progress);
        Assert.IsType<PartcloneProgressParser>(imager.Clone("ext4", device).Progress);
    }
}
