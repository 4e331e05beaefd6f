using Apart.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Compression.Codec;

/// <summary>
/// codec_name images: codec_program compresses what partclone writes and decompresses it for a
/// restore, reading standard input and writing standard output. The host offers codec_name in
/// compression_options when codec_program --version succeeds.
/// </summary>
public sealed class CodecClassPlugin : IApartPlugin
{
    /// <inheritdoc/>
    public void Configure(IServiceCollection services) =>
        services.AddSingleton<ICompressor>(new ProgramCompressor(
            name: "codec_name",
            compress: new CommandLine("codec_program", ["COMPRESS_ARGS"]),
            decompress: new CommandLine("codec_program", ["DECOMPRESS_ARGS"])));
}
