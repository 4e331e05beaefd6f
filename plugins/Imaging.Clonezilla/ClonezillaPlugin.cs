using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Imaging.Clonezilla;

/// <summary>Registers Clonezilla's image directory as the format whole disks are saved in.</summary>
public sealed class ClonezillaPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services)
    {
        services.AddSingleton<IDiskImager>(_ => new ClonezillaImager(PieceSize.FromEnvironment()));
        services.AddSingleton(new EnvironmentVariableHelp(
            PieceSize.Variable,
            "MB",
            $"split each partition image into pieces of MB million bytes, as Clonezilla's -i does (default {PieceSize.DefaultMegabytes}: files a FAT32 disk can hold)"));
    }
}
