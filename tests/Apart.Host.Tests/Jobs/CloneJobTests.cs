using Apart.Abstractions;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Jobs;

public sealed class CloneJobTests : IAsyncDisposable
{
    private readonly Engine _engine = new();
    private readonly PartDevice _source;

    public CloneJobTests()
    {
        // Listed but absent: the inventory's word is enough, and the imager reads a file instead.
        _source = _engine.Inventory.Add("apart-absent", 4096);
    }

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task The_imagers_output_becomes_an_owner_only_image_under_its_final_name()
    {
        var content = Path.Join(_engine.Directory, "content");
        await File.WriteAllBytesAsync(content, Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray());
        _engine.Imager.Content = content;

        _engine.Route(new CloneRequest(_source.DevicePath, _engine.Images, "work", "uncompressed"));

        var done = await _engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        Assert.Equal(1.0, done.Complete);
        Assert.Equal("0f0e0d0c", done.SourceUuid);
        Assert.Matches(@"/work-\d{4}-\d{2}-\d{2}T\d{4}\.apt\.fake\.uncompressed$", done.Destination);
        Assert.Equal(await File.ReadAllBytesAsync(content), await File.ReadAllBytesAsync(done.Destination!));
        Assert.Equal(4096, done.ImageSize);
        Assert.Equal(FileModes.OwnerOnly, File.GetUnixFileMode(done.Destination!));
        Assert.Equal([Path.GetFileName(done.Destination!)], Directory.EnumerateFiles(_engine.Images).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failing_imager_leaves_no_file_and_its_failure_is_named()
    {
        _engine.Imager.CloneWith = _ => new CommandLine("false", []);

        _engine.Route(new CloneRequest(_source.DevicePath, _engine.Images, "broken", "uncompressed"));

        var failed = await _engine.Transport.NextAsync<JobFailed>();
        Assert.Equal("false exited with status 1.", failed.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_engine.Images));
    }

    [Fact]
    public async Task An_existing_image_is_left_as_it_is_and_the_clone_refused()
    {
        _engine.Route(new CloneRequest(_source.DevicePath, _engine.Images, "twice", "uncompressed"));
        var done = await _engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        await File.WriteAllTextAsync(done.Destination!, "keep");

        _engine.Route(new CloneRequest(_source.DevicePath, _engine.Images, "twice", "uncompressed"));

        var refused = await _engine.Transport.NextAsync<JobFailed>();
        Assert.Contains("already exists", refused.Error, StringComparison.Ordinal);
        Assert.Equal("keep", await File.ReadAllTextAsync(done.Destination!));
    }
}
