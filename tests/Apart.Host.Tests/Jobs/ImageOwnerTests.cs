using Apart.Abstractions;
using Apart.Host.Jobs;
using Apart.Host.Native;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;
using Apart.Testing;
using TestLoop = Apart.Testing.LoopDevice;

namespace Apart.Host.Tests.Jobs;

public sealed class ImageOwnerTests : EngineTests
{
    private const long MiB = 1024 * 1024;

    // Nobody on the test machine: the file must carry the ids, not a name that happens to exist.
    private static readonly PeerCredentials Alice = new(4242, 43210, 43211);

    [Fact]
    public void A_presenter_that_is_not_root_owns_what_it_asks_for()
    {
        var startedFor = new ImageOwner(1000, 1000);

        Assert.Equal(new ImageOwner(43210, 43211), ImageOwner.Of(Alice, startedFor));
        Assert.Equal(startedFor, ImageOwner.Of(new PeerCredentials(1, 0, 0), startedFor));
        Assert.Equal(startedFor, ImageOwner.Of(null, startedFor));
        Assert.Null(ImageOwner.Of(new PeerCredentials(1, 0, 0), startedFor: null));
        Assert.Null(ImageOwner.Of(new PeerCredentials(-1, uint.MaxValue, uint.MaxValue), startedFor: null));
    }

    [Theory]
    [InlineData("1000", null, null, 1000u, 77u)]      // pkexec: the primary group from the user database
    [InlineData(null, "1001", "1002", 1001u, 1002u)]  // sudo names the group itself
    [InlineData(null, "1001", null, 1001u, 77u)]
    [InlineData("1000", "1001", "1002", 1000u, 77u)]  // pkexec's word first
    public void The_user_who_started_the_core_through_pkexec_or_sudo_is_read_from_their_variables(
        string? pkexecUid, string? sudoUid, string? sudoGid, uint uid, uint gid)
    {
        var environment = new Dictionary<string, string?> { ["PKEXEC_UID"] = pkexecUid, ["SUDO_UID"] = sudoUid, ["SUDO_GID"] = sudoGid };

        var owner = ImageOwner.StartedFor(name => environment.GetValueOrDefault(name), _ => 77);

        Assert.Equal(new ImageOwner(uid, gid), owner);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1000 ")]
    [InlineData("4294967295")]
    public void Root_or_no_usable_starter_leaves_images_roots(string? pkexecUid)
    {
        Assert.Null(ImageOwner.StartedFor(name => name == "PKEXEC_UID" ? pkexecUid : null, _ => 77));
    }

    [Fact]
    public void A_starter_the_system_does_not_know_gets_the_file_but_not_a_group()
    {
        Assert.Equal(new ImageOwner(43210, null), ImageOwner.StartedFor(name => name == "PKEXEC_UID" ? "43210" : null, Users.PrimaryGroup));
        Assert.Equal(0u, Users.PrimaryGroup(0));
    }

    [RootFact]
    public void A_user_may_write_in_a_directory_by_its_owner_group_or_other_bits_as_the_kernel_decides()
    {
        var alice = new ImageOwner(Alice.Uid, Alice.Gid);
        var directory = Path.Join(Engine.Directory, "shared");
        Directory.CreateDirectory(directory);

        bool MayWrite(uint uid, uint gid, UnixFileMode mode)
        {
            Chown(directory, uid, gid);
            File.SetUnixFileMode(directory, mode);
            using var handle = NativeFile.Open(directory, Tmds.Linux.LibC.O_RDONLY | Tmds.Linux.LibC.O_DIRECTORY);
            return alice.MayWriteIn(handle);
        }

        const UnixFileMode all = (UnixFileMode)0x1FF;
        Assert.True(MayWrite(Alice.Uid, 0, FileModes.OwnerOnlyDirectory));
        Assert.False(MayWrite(Alice.Uid, 0, all & ~UnixFileMode.UserWrite)); // the owner's bits are what count for the owner
        Assert.True(MayWrite(0, Alice.Gid, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute));
        Assert.False(MayWrite(0, Alice.Gid, all & ~UnixFileMode.GroupWrite));
        Assert.True(MayWrite(0, 0, all | UnixFileMode.StickyBit)); // /tmp
        Assert.False(MayWrite(0, 0, all & ~UnixFileMode.OtherWrite));
        Assert.Contains(0u, Users.Groups(0, 0));
    }

    [RootFact]
    public async Task A_clone_asked_for_by_a_user_into_a_directory_of_theirs_is_theirs_owner_only()
    {
        var source = Engine.Inventory.Add("apart-absent", 4096);
        Chown(Engine.Images, Alice.Uid, Alice.Gid);
        Engine.Router.Presenter = Alice;

        Engine.Route(new CloneRequest(source.DevicePath, Engine.Images, "alices", "uncompressed"));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        AssertOwned(done.Destination!, Alice, FileModes.OwnerOnly);
    }

    [RootFact]
    public async Task A_clone_asked_for_by_a_user_into_a_directory_they_may_not_write_in_stays_roots()
    {
        var source = Engine.Inventory.Add("apart-absent", 4096);
        File.SetUnixFileMode(Engine.Images, FileModes.OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Engine.Router.Presenter = Alice;

        Engine.Route(new CloneRequest(source.DevicePath, Engine.Images, "not-alices", "uncompressed"));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        AssertOwned(done.Destination!, new PeerCredentials(1, 0, 0), FileModes.OwnerOnly);
    }

    [RootFact]
    public async Task A_clone_asked_for_by_root_stays_roots()
    {
        var source = Engine.Inventory.Add("apart-absent", 4096);
        Engine.Router.Presenter = new PeerCredentials(1, 0, 0);

        Engine.Route(new CloneRequest(source.DevicePath, Engine.Images, "roots", "uncompressed"));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        AssertOwned(done.Destination!, new PeerCredentials(1, 0, 0), FileModes.OwnerOnly);
    }

    [RootFact]
    public async Task A_disk_image_asked_for_by_a_user_is_theirs_directory_and_every_file()
    {
        using var device = TestLoop.Create(3 * MiB);
        var disk = Engine.Inventory.AddDisk(Path.GetFileName(device.Path), device.Size, (MiB, MiB, false));
        Engine.Imager.CloneWith = source => new CommandLine("cat", [source.Path]);
        Chown(Engine.Images, Alice.Uid, Alice.Gid);
        Engine.Router.Presenter = Alice;

        Engine.Route(new CloneDiskRequest(disk.DevicePath, Engine.Images, "alices", "uncompressed"));

        var done = await Engine.Transport.NextAsync<JobProgress>(progress => progress.Finish is not null);
        AssertOwned(done.Destination!, Alice, FileModes.OwnerOnlyDirectory);
        Assert.NotEmpty(Directory.EnumerateFiles(done.Destination!));
        Assert.All(Directory.EnumerateFiles(done.Destination!), file => AssertOwned(file, Alice, FileModes.OwnerOnly));
    }

    private static unsafe void Chown(string path, uint uid, uint gid)
    {
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            Assert.Equal(0, Tmds.Linux.LibC.chown(p, uid, gid));
        }
    }

    private static void AssertOwned(string path, PeerCredentials owner, UnixFileMode mode)
    {
        var st = NativeFile.LinkStat(path)!.Value;
        Assert.Equal((owner.Uid, owner.Gid), ((uint)st.st_uid, (uint)st.st_gid));
        Assert.Equal(mode, File.GetUnixFileMode(path));
    }
}
