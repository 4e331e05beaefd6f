using Microsoft.Extensions.DependencyInjection;

namespace Apart.Abstractions;

/// <summary>
/// The entry point of a plugin. The host loads every folder under <c>plugins/</c>, finds the public
/// classes implementing this interface in the assembly named like the folder, creates each with its
/// parameterless constructor and lets it register its services.
/// </summary>
/// <remarks>
/// A plugin registers implementations of the contracts in this assembly — <see cref="ITransportFactory"/>,
/// <see cref="IDeviceInventory"/>, <see cref="IImager"/>, <see cref="ICompressor"/> — and the host
/// decides when to use them. A plugin references only <c>Apart.Abstractions</c>; the host shares this
/// assembly and <c>Microsoft.Extensions.*</c> abstractions with it so their types unify.
/// </remarks>
public interface IApartPlugin
{
    /// <summary>Registers the plugin's services into the host's container.</summary>
    void Configure(IServiceCollection services);
}
