using Apart.Abstractions;
using Apart.Host.Core;
using Apart.Host.Mounting;
using Apart.Host.Tests.Fakes;
using Apart.Protocol;
using Apart.Testing;

namespace Apart.Host.Tests.Mounting;

/// <summary>
/// <c>mount-image</c> and <c>unmount-image</c> through the router, over fake codec, reader and
/// mounts (docs/PROTOCOL.md §11): what each kind of source resolves to, every refusal and its
/// reason, the rules for presenters that are not root, and that none of it holds up other requests.
/// </summary>
public sealed class MountRequestTests : EngineTests
{
    private static readonly PeerCredentials Alice = new(4242, 43210, 43211);

    private string Image(string name = "work-2017-05-03T1020.apt.fake.uncompressed", string contents = "the device's bytes")
    {
        var path = Path.Join(Engine.Images, name);
        File.WriteAllText(path, contents);
        return path;
    }

    private async Task<ImageMountFailed> RefusedAsync(MountImageRequest request)
    {
        Engine.Route(request);
        var failed = await Engine.Transport.NextAsync<ImageMountFailed>();
        Assert.Equal(request.Source, failed.Source);
        Assert.Empty(Engine.Mounts.Requests);
        return failed;
    }

    [Fact]
    public async Task An_image_file_is_opened_in_place_as_its_device_and_mounted()
    {
        var image = Image();

        Engine.Route(new MountImageRequest(image));
        var mounted = await Engine.Transport.NextAsync<ImageMounted>();

        Assert.Equal((image, "/run/fake/m1", FakeImager.Format), (mounted.Source, mounted.Path, mounted.FsType));
        var request = Assert.Single(Engine.Mounts.Requests);
        Assert.Equal("the device's bytes", System.Text.Encoding.UTF8.GetString(Assert.Single(Engine.Mounts.DeviceStarts)));
        Assert.Null(request.MountPoint);
        Assert.Equal("mount -o ro /dev/loop9 /mnt/x", request.MountCommand("/dev/loop9", "/mnt/x").ToString());
        Assert.Equal([FakeImager.Format], Engine.Reader.Formats);
    }

    [Fact]
    public async Task The_index_is_kept_under_the_cache_directory_named_after_the_image_and_the_cache_is_bounded()
    {
        var image = Image();
        Engine.Route(new MountImageRequest(image));
        await Engine.Transport.NextAsync<ImageMounted>();
        File.SetLastWriteTimeUtc(image, DateTime.UtcNow.AddMinutes(-5)); // the image changed
        Engine.Route(new MountImageRequest(image));
        await Engine.Transport.NextAsync<ImageMounted>();

        var (first, second) = (Engine.RandomAccess.Opened[0], Engine.RandomAccess.Opened[1]);
        Assert.Equal(Path.Join(Engine.Options.CacheDirectory, "index"), Path.GetDirectoryName(first.IndexFile));
        Assert.Matches("^[0-9a-f]{64}\\.idx$", Path.GetFileName(first.IndexFile));
        Assert.NotEqual(first.IndexFile, second.IndexFile);
        Assert.Equal(64L << 20, first.CacheBytes);
        Assert.Equal([Path.GetFileName(image)], Directory.EnumerateFileSystemEntries(Engine.Images).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_mount_point_given_is_used_and_the_running_status_lists_the_mounts()
    {
        var image = Image();
        var mountPoint = Directory.CreateDirectory(Path.Join(Engine.Directory, "here")).FullName;

        Engine.Route(new MountImageRequest(image, MountPoint: mountPoint));
        var mounted = await Engine.Transport.NextAsync<ImageMounted>();
        Engine.Route(new StatusRequest());
        var status = await Engine.Transport.NextAsync<StatusEvent>();

        Assert.Equal(mountPoint, mounted.Path);
        Assert.Equal([new ListedMount(mounted.Id, image, mountPoint)], status.Mounts);
    }

    [Fact]
    public async Task Unmounting_answers_with_the_id_and_the_mount_is_gone_from_status()
    {
        Engine.Route(new MountImageRequest(Image()));
        var mounted = await Engine.Transport.NextAsync<ImageMounted>();

        Engine.Route(new UnmountImageRequest(mounted.Id));

        Assert.Equal(mounted.Id, (await Engine.Transport.NextAsync<ImageUnmounted>()).Id);
        Engine.Route(new StatusRequest());
        Assert.Empty((await Engine.Transport.NextAsync<StatusEvent>()).Mounts!);
    }

    [Fact]
    public async Task Unmounting_what_is_not_mounted_or_is_busy_says_why()
    {
        Engine.Route(new UnmountImageRequest("nosuch"));
        var unknown = await Engine.Transport.NextAsync<ImageUnmountFailed>();
        Engine.Route(new MountImageRequest(Image()));
        var mounted = await Engine.Transport.NextAsync<ImageMounted>();
        Engine.Mounts.UnmountFails = new ImageMountException("It is in use: bash (pid 4242) has files open there.");

        Engine.Route(new UnmountImageRequest(mounted.Id));
        var busy = await Engine.Transport.NextAsync<ImageUnmountFailed>();

        Assert.Equal(("nosuch", "No image is mounted as nosuch."), (unknown.Id, unknown.Error));
        Assert.Equal((mounted.Id, "It is in use: bash (pid 4242) has files open there."), (busy.Id, busy.Error));
        Assert.Single(Engine.Mounts.Current);
    }

    [Fact]
    public async Task A_partition_of_an_image_directory_is_found_by_its_name_and_its_pieces_checked()
    {
        var directory = Directory.CreateDirectory(Path.Join(Engine.Images, "laptop-2017-05-03T1020-img")).FullName;
        File.WriteAllText(Path.Join(directory, "parts"), "sdb1:1048576:4096:fake sdb2:2097152:8192:fake\n");
        File.WriteAllText(Path.Join(directory, "sdb2.fake.uncompressed"), "second partition");

        Engine.Route(new MountImageRequest(directory, Part: "sdb2"));
        var mounted = await Engine.Transport.NextAsync<ImageMounted>();

        Assert.Equal(directory, mounted.Source);
        Assert.Equal("second partition", System.Text.Encoding.UTF8.GetString(Assert.Single(Engine.Mounts.DeviceStarts)));
        Assert.Equal([false], Engine.DiskImager.Checks); // quick: presence and sizes
    }

    [Fact]
    public async Task An_image_directory_needs_a_part_it_holds_and_says_which_it_has()
    {
        var directory = Directory.CreateDirectory(Path.Join(Engine.Images, "laptop-2017-05-03T1020-img")).FullName;
        File.WriteAllText(Path.Join(directory, "parts"), "sdb1:1048576:4096:fake sdb2:2097152:8192:fake\n");

        var none = await RefusedAsync(new MountImageRequest(directory));
        var wrong = await RefusedAsync(new MountImageRequest(directory, Part: "sdb7"));

        Assert.Equal($"{directory} is an image directory: name the partition to mount (its partitions: sdb1, sdb2).", none.Error);
        Assert.Equal($"The image {directory} holds no partition sdb7 to mount (its partitions: sdb1, sdb2).", wrong.Error);
    }

    [Fact]
    public async Task A_truncated_piece_is_named_before_anything_is_opened()
    {
        var directory = Directory.CreateDirectory(Path.Join(Engine.Images, "laptop-2017-05-03T1020-img")).FullName;
        File.WriteAllText(Path.Join(directory, "parts"), "sdb1:1048576:4096:fake\n");
        Engine.DiskImager.CheckWith = _ => new PieceCheck("sdb1.fake.uncompressed has 10 bytes, not the 4096 recorded", true);

        var failed = await RefusedAsync(new MountImageRequest(directory, Part: "sdb1"));

        Assert.Equal($"The image {directory} is damaged: sdb1.fake.uncompressed has 10 bytes, not the 4096 recorded.", failed.Error);
        Assert.Empty(Engine.RandomAccess.Opened);
    }

    public static TheoryData<string, string> Unmountable() => new()
    {
        { "relative/work-2017-05-03T1020.apt.fake.uncompressed", "The image path relative/work-2017-05-03T1020.apt.fake.uncompressed must be an absolute path." },
        { "/nonexistent/work-2017-05-03T1020.apt.fake.uncompressed", "The image /nonexistent/work-2017-05-03T1020.apt.fake.uncompressed does not exist." },
        { "/etc/hostname", "/etc/hostname is not named like an image (NAME-YYYY-MM-DDTHHMM.apt.VARIANT.COMPRESSION, or a partition image's first piece)." },
        { "/dev/null", "/dev/null is not an image: not a regular file or directory." },
        { "/tmp", "/tmp is a directory, not an image directory this core reads." },
        { "/b/work-2017-05-03T1020.apt.fake.uncompressed.inprogress", "/b/work-2017-05-03T1020.apt.fake.uncompressed.inprogress is still being written (or was left unfinished): only a complete image can be mounted." },
    };

    [Theory]
    [MemberData(nameof(Unmountable))]
    public async Task What_is_not_a_complete_image_is_refused_with_a_reason(string source, string reason) =>
        Assert.Equal(reason, (await RefusedAsync(new MountImageRequest(source))).Error);

    [Fact]
    public async Task A_part_of_an_image_file_is_refused()
    {
        var image = Image();

        Assert.Equal($"{image} is an image file: 'part' names a partition of an image directory only.", (await RefusedAsync(new MountImageRequest(image, Part: "sda1"))).Error);
    }

    [Fact]
    public async Task An_unknown_compression_or_one_without_random_access_is_refused()
    {
        var zst = Image("work-2017-05-03T1020.apt.fake.zzz");
        var unknown = await RefusedAsync(new MountImageRequest(zst));
        Engine.RandomAccess.Name = "gz";
        var plain = await RefusedAsync(new MountImageRequest(Image()));

        Assert.Equal($"{zst} uses an unknown compression, 'zzz'.", unknown.Error);
        Assert.Equal($"{Image()} is compressed with uncompressed, which this core cannot read in place: no plugin gives uncompressed images random access.", plain.Error);
    }

    [Fact]
    public async Task A_filesystem_this_machine_cannot_mount_is_refused_before_the_image_is_opened()
    {
        Engine.Reader.CannotMount = new NotSupportedException("ntfs-3g is not installed");

        var failed = await RefusedAsync(new MountImageRequest(Image()));

        Assert.Equal($"{Image()} cannot be mounted on this machine: ntfs-3g is not installed.", failed.Error);
        Assert.Empty(Engine.RandomAccess.Opened);
    }

    [Fact]
    public async Task A_damaged_image_is_refused_with_the_codecs_or_the_readers_reason()
    {
        Engine.RandomAccess.Fails = new InvalidDataException("the gzip stream ends at 4096, inside a block");
        var codec = await RefusedAsync(new MountImageRequest(Image()));
        Engine.RandomAccess.Fails = null;
        Engine.Reader.DeviceFails = new InvalidDataException("not a partclone image: its magic is missing");
        var reader = await RefusedAsync(new MountImageRequest(Image()));
        Engine.Reader.DeviceFails = new NotSupportedException("partclone images of version 0001 are not read in place");
        var version = await RefusedAsync(new MountImageRequest(Image()));

        Assert.Equal($"The image {Image()} is damaged: the gzip stream ends at 4096, inside a block.", codec.Error);
        Assert.Equal($"The image {Image()} is damaged: not a partclone image: its magic is missing.", reader.Error);
        Assert.Equal($"{Image()} cannot be mounted on this machine: partclone images of version 0001 are not read in place.", version.Error);
    }

    [Fact]
    public async Task What_the_mounts_refuse_is_passed_on()
    {
        Engine.Mounts.MountFails = new ImageMountException("The loop device cannot be attached: no free loop device.");
        var image = Image();

        Engine.Route(new MountImageRequest(image));

        Assert.Equal("The loop device cannot be attached: no free loop device.", (await Engine.Transport.NextAsync<ImageMountFailed>()).Error);
        Assert.Empty(Engine.Mounts.Current);
    }

    [Fact]
    public async Task A_mount_point_must_be_an_existing_empty_directory()
    {
        var image = Image();
        var full = Directory.CreateDirectory(Path.Join(Engine.Directory, "full")).FullName;
        File.WriteAllText(Path.Join(full, "keep"), "");
        var link = Path.Join(Engine.Directory, "link");
        File.CreateSymbolicLink(link, Engine.Images);

        async Task<string> RefusalAsync(string mountPoint) => (await RefusedAsync(new MountImageRequest(image, MountPoint: mountPoint))).Error;

        Assert.Equal("The mount point rel/dir must be an absolute path.", await RefusalAsync("rel/dir"));
        Assert.Equal("The mount point /nonexistent/dir does not exist.", await RefusalAsync("/nonexistent/dir"));
        Assert.Equal($"The mount point {image} is not a directory.", await RefusalAsync(image));
        Assert.Equal($"The mount point {link} is not a directory.", await RefusalAsync(link));
        Assert.Equal($"The mount point {full} is not empty: mounting there would hide what it holds.", await RefusalAsync(full));
    }

    [RootFact]
    public async Task A_presenter_that_is_not_root_mounts_only_images_it_may_read_onto_a_directory_it_owns()
    {
        Engine.Router.Presenter = Alice;
        File.SetUnixFileMode(Engine.Directory, (UnixFileMode)0x1ED); // 0755
        File.SetUnixFileMode(Engine.Images, (UnixFileMode)0x1ED);
        var secret = Image("secret-2017-05-03T1020.apt.fake.uncompressed");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var open = Image();
        File.SetUnixFileMode(open, (UnixFileMode)0x1A4); // 0644
        var roots = Directory.CreateDirectory(Path.Join(Engine.Directory, "roots")).FullName;
        var alices = Directory.CreateDirectory(Path.Join(Engine.Directory, "alices")).FullName;
        Chown(alices, Alice.Uid, Alice.Gid);

        var unreadable = await RefusedAsync(new MountImageRequest(secret));
        var foreign = await RefusedAsync(new MountImageRequest(open, MountPoint: roots));
        Engine.Route(new MountImageRequest(open, MountPoint: alices));
        var mounted = await Engine.Transport.NextAsync<ImageMounted>();

        Assert.Equal($"{secret} cannot be read by uid 43210: a presenter that is not root may only mount images it can read itself.", unreadable.Error);
        Assert.Equal($"The mount point {roots} does not belong to uid 43210: a presenter that is not root may only mount onto a directory of its own.", foreign.Error);
        Assert.Equal(alices, mounted.Path);
    }

    [RootFact]
    public async Task A_readable_image_in_a_directory_the_user_cannot_search_is_not_theirs_to_mount()
    {
        Engine.Router.Presenter = Alice;
        File.SetUnixFileMode(Engine.Directory, (UnixFileMode)0x1ED);
        var image = Image();
        File.SetUnixFileMode(image, (UnixFileMode)0x1A4);
        File.SetUnixFileMode(Engine.Images, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // 0700, root's
        Directory.CreateSymbolicLink(Path.Join(Engine.Directory, "images-link"), Engine.Images);

        var direct = await RefusedAsync(new MountImageRequest(image));
        var linked = await RefusedAsync(new MountImageRequest(Path.Join(Engine.Directory, "images-link", Path.GetFileName(image))));

        Assert.Contains("cannot be read by uid 43210", direct.Error, StringComparison.Ordinal);
        Assert.Contains("cannot be read by uid 43210", linked.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_root_presenter_mounts_an_image_only_root_may_read()
    {
        Engine.Router.Presenter = new PeerCredentials(1, 0, 0);
        var image = Image();
        File.SetUnixFileMode(image, UnixFileMode.UserRead);

        Engine.Route(new MountImageRequest(image));

        Assert.Equal(image, (await Engine.Transport.NextAsync<ImageMounted>()).Source);
    }

    [Fact]
    public async Task Building_an_index_holds_up_no_other_request_and_stops_when_the_presenter_leaves()
    {
        Engine.RandomAccess.Hangs = true;
        var image = Image();
        Engine.Route(new MountImageRequest(image));
        await Engine.RandomAccess.Indexing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Engine.Route(new StatusRequest());
        Assert.Equal(CoreStatus.Running, (await Engine.Transport.NextAsync<StatusEvent>()).Status);
        Engine.Router.PresenterLeft();

        var failed = await Engine.Transport.NextAsync<ImageMountFailed>();
        Assert.Equal("Cancelled: the presenter that asked went away.", failed.Error);
        Assert.True(Engine.RandomAccess.SawCancellation);
        Assert.Empty(Engine.Mounts.Requests);
    }

    [Fact]
    public async Task An_index_being_built_when_the_core_ends_is_stopped_and_answered()
    {
        Engine.RandomAccess.Hangs = true;
        Engine.Route(new MountImageRequest(Image()));
        await Engine.RandomAccess.Indexing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await Engine.Router.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("The core is shutting down.", (await Engine.Transport.NextAsync<ImageMountFailed>()).Error);
    }

    private static unsafe void Chown(string path, uint uid, uint gid)
    {
        fixed (byte* p = NativeText.NullTerminated(path))
        {
            Assert.Equal(0, Tmds.Linux.LibC.chown(p, uid, gid));
        }
    }
}
