using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Compression.Xz;

/// <summary>
/// xz images: xz compresses what partclone writes and decompresses it for a
/// restore, reading standard input and writing standard output. The host offers xz in
/// compression_options when xz --version succeeds.
/// </summary>
public sealed class XzPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "xz",
            compress: new CommandLine("xz", ["-T0", "-q", "-c"]),
            decompress: new CommandLine("xz", ["-d", "-q", "-c"])));
}
