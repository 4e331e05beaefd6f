using Apart.Abstractions;
using Apart.Host.Native;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;
using static Tmds.Linux.LibC;

namespace Apart.Host.Tests.Jobs;

public sealed class VerifyJobTests : EngineTests
{

    [Fact]
    public async Task An_image_of_device_bytes_is_whole_when_as_long_as_its_recorded_source()
    {
        var image = await ImageAsync("whole", length: 8192, recordedSource: 8192);

        Engine.Route(new VerifyRequest(image));

        Assert.Equal(1.0, (await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null)).Complete);
    }

    [Fact]
    public async Task An_image_of_device_bytes_shorter_than_its_source_is_truncated()
    {
        var image = await ImageAsync("short", length: 4096, recordedSource: 8192);

        Engine.Route(new VerifyRequest(image));

        Assert.Contains("truncated", (await Engine.Transport.NextAsync<JobFailed>()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_imagers_own_check_program_decides()
    {
        var image = await ImageAsync("checked", length: 10, recordedSource: null);
        Engine.Imager.CheckWith = new ImageCheck.Program(new ImagingCommand(new CommandLine("false", []), new ProgressOf("bad block at 7")));

        Engine.Route(new VerifyRequest(image));

        Assert.Equal("false exited with status 1: bad block at 7", (await Engine.Transport.NextAsync<JobFailed>()).Error);
    }

    private async Task<string> ImageAsync(string name, int length, long? recordedSource)
    {
        var path = Path.Join(Engine.Images, $"{name}-2024-05-03T1020.apt.{FakeImager.Format}.uncompressed");
        await File.WriteAllBytesAsync(path, new byte[length]);
        if (recordedSource is { } size)
        {
            using var file = NativeFile.Open(path, O_RDONLY);
            Assert.True(NativeFile.TrySetAttribute(file, Host.Jobs.ImageAttributes.SourceSize, size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return path;
    }

    private sealed class ProgressOf(string lastWords) : IProgressParser
    {
        public IReadOnlyList<string> LastLines => [lastWords];

        public IReadOnlyList<ImagingProgress> Feed(ReadOnlySpan<char> text) => [];
    }
}
