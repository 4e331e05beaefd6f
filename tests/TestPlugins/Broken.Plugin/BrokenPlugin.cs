using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Broken.Plugin;

/// <summary>Registers something, then fails: the host must keep none of it.</summary>
public sealed class BrokenPlugin : IApartPlugin
{
    public void Configure(IServiceCollection services)
    {
        services.AddSingleton<ICompressor>(new ProgramCompressor("broken", new CommandLine("true", []), new CommandLine("true", [])));
        throw new InvalidOperationException("this plugin is broken on purpose");
    }
}
