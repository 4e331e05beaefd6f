using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Imaging.Partclone;

/// <summary>Registers partclone as the <see cref="IImager"/>, and as the <see cref="IImageReader"/> of its images.</summary>
public sealed class PartclonePlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services)
    {
        // APART_PARTCLONE_CMD is read once, when the imager is first needed: it is fixed for the
        // life of the process, as it was in the original core.
        services.AddSingleton(_ => PartcloneLocator.FromEnvironment());
        services.AddSingleton<IImager, PartcloneImager>();

        // The same imager reads its images in place.
        services.AddSingleton(provider => (IImageReader)provider.GetRequiredService<IImager>());
        services.AddSingleton(new EnvironmentVariableHelp(
            PartcloneLocator.PrefixVariable,
            "PREFIX",
            "run PREFIX.VARIANT as partclone for variant VARIANT (e.g. PREFIX.ext4, PREFIX.dd); default: partclone.* found on PATH or in /usr/local/sbin, /usr/sbin, /sbin"));
    }
}
