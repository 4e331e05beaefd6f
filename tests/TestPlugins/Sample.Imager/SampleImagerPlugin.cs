using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Sample.Imager;

/// <summary>A third-party imager: one more plugin folder, in place of partclone's, and no change to the host.</summary>
public sealed class SampleImagerPlugin : IApartPlugin
{
    public void Configure(IServiceCollection services) => services.AddSingleton<IImager, DdImager>();
}
