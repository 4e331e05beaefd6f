using Apart.Abstractions;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;

namespace Apart.Host.Tests.Jobs;

public sealed class CloneJobTests : EngineTests
{
    private readonly PartDevice _source;

    public CloneJobTests()
    {
        // Listed but absent: the inventory's word is enough, and the imager reads a file instead.
        _source = Engine.Inventory.Add("apart-absent", 4096);
    }

    [Fact]
    public async Task The_imagers_output_becomes_an_owner_only_image_under_its_final_name()
    {
        var content = Path.Join(Engine.Directory, "content");
        await File.WriteAllBytesAsync(content, Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray());
        Engine.Imager.Content = content;

        Engine.Route(new CloneRequest(_source.DevicePath, Engine.Images, "work", "uncompressed"));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        Assert.Equal(1.0, done.Complete);
        Assert.Equal("0f0e0d0c", done.SourceUuid);
        Assert.Matches(@"/work-\d{4}-\d{2}-\d{2}T\d{4}\.apt\.fake\.uncompressed$", done.Destination);
        Assert.Equal(await File.ReadAllBytesAsync(content), await File.ReadAllBytesAsync(done.Destination!));
        Assert.Equal(4096, done.ImageSize);
        Assert.Equal(FileModes.OwnerOnly, File.GetUnixFileMode(done.Destination!));
        Assert.Equal([Path.GetFileName(done.Destination!)], Directory.EnumerateFiles(Engine.Images).Select(Path.GetFileName));
        Assert.Equal([_source.DevicePath], Engine.Inventory.Asked); // checked alone, not with the whole list
    }

    [Fact]
    public async Task A_failing_imager_leaves_no_file_and_its_failure_is_named()
    {
        Engine.Imager.CloneWith = _ => new CommandLine("false", []);

        Engine.Route(new CloneRequest(_source.DevicePath, Engine.Images, "broken", "uncompressed"));

        var failed = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Equal("false exited with status 1.", failed.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Engine.Images));
    }

    [Fact]
    public async Task An_existing_image_is_left_as_it_is_and_the_clone_refused()
    {
        Engine.Route(new CloneRequest(_source.DevicePath, Engine.Images, "twice", "uncompressed"));
        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        await File.WriteAllTextAsync(done.Destination!, "keep");

        Engine.Route(new CloneRequest(_source.DevicePath, Engine.Images, "twice", "uncompressed"));

        var refused = await Engine.Transport.NextAsync<JobFailed>();
        Assert.Contains("already exists", refused.Error, StringComparison.Ordinal);
        Assert.Equal("keep", await File.ReadAllTextAsync(done.Destination!));
    }
}
