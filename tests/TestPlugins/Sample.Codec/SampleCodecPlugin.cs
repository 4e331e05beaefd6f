using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Sample.Codec;

/// <summary>A third-party codec: one more plugin folder, no change to the host.</summary>
public sealed class SampleCodecPlugin : IApartPlugin
{
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "xz",
            compress: new CommandLine("xz", ["-T0", "-c"]),
            decompress: new CommandLine("xz", ["-d", "-c"])));
}
