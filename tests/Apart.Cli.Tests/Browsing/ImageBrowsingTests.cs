using Apart.Cli.Browsing;
using Apart.Cli.Session;

namespace Apart.Cli.Tests.Browsing;

/// <summary>
/// Paths inside an image, its listing and copying out of it, over a directory standing in for a
/// mounted image: links lead within the image, the listing reads like ls -la, a copy keeps modes,
/// times and links and never overwrites.
/// </summary>
public sealed class ImageBrowsingTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("apart-browse-").FullName;
    private readonly string _root;

    public ImageBrowsingTests()
    {
        _root = Directory.CreateDirectory(Path.Join(_work, "image")).FullName;
        Directory.CreateDirectory(Path.Join(_root, "usr/lib"));
        File.WriteAllText(Path.Join(_root, "usr/lib/libc.so"), "image's libc");
        Directory.CreateSymbolicLink(Path.Join(_root, "lib"), "/usr/lib"); // absolute, as on real systems
        File.CreateSymbolicLink(Path.Join(_root, "up"), "../../../..");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void An_absolute_link_is_followed_inside_the_image_not_on_this_machine() =>
        Assert.Equal(Path.Join(_root, "usr/lib/libc.so"), ImagePath.Resolve(_root, "/lib/libc.so", followLast: true));

    [Fact]
    public void Neither_dot_dot_nor_a_link_leads_above_the_images_root()
    {
        Assert.Equal(_root, ImagePath.Resolve(_root, "../../..", followLast: true));
        Assert.Equal(_root, ImagePath.Resolve(_root, "up", followLast: true));
        Assert.Equal(Path.Join(_root, "usr"), ImagePath.Resolve(_root, "up/usr", followLast: true));
    }

    [Fact]
    public void The_last_link_is_kept_when_asked_and_a_missing_name_is_refused()
    {
        Assert.Equal(Path.Join(_root, "lib"), ImagePath.Resolve(_root, "/lib", followLast: false));
        Assert.Contains("/nothing/here is not in the image", Assert.Throws<FileNotFoundException>(() => ImagePath.Resolve(_root, "nothing/here", followLast: true)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_loop_is_refused()
    {
        File.CreateSymbolicLink(Path.Join(_root, "loop"), "loop");

        Assert.Contains("more than 40 symbolic links", Assert.Throws<IOException>(() => ImagePath.Resolve(_root, "loop", followLast: true)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listing_reads_like_ls_la()
    {
        var file = Path.Join(_root, "usr/lib/libc.so");
        File.SetUnixFileMode(file, (UnixFileMode)0x9ED); // 4755
        File.SetLastWriteTime(file, new DateTime(2024, 5, 3, 10, 20, 0, DateTimeKind.Local));

        var entries = ListedEntry.List(_root);
        var libc = Assert.Single(ListedEntry.List(Path.Join(_root, "usr/lib")));

        Assert.Equal(["lib", "up", "usr"], entries.Select(entry => entry.Name));
        Assert.Equal(("lrwxrwxrwx", "/usr/lib"), (entries[0].ModeText, entries[0].Target));
        Assert.Equal((EntryType.Directory, 'd'), (entries[2].Type, entries[2].ModeText[0]));
        Assert.Matches(@"^-rwsr-xr-x +\d+ +\d+ +12 2024-05-03 10:20 libc.so$", libc.Line());
    }

    [Fact]
    public void A_copy_keeps_contents_modes_times_and_links()
    {
        var when = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetUnixFileMode(Path.Join(_root, "usr/lib/libc.so"), (UnixFileMode)0x1E4); // 0744
        File.SetLastWriteTimeUtc(Path.Join(_root, "usr/lib/libc.so"), when);
        File.SetUnixFileMode(Path.Join(_root, "usr/lib"), (UnixFileMode)0x1C0); // 0700
        Directory.SetLastWriteTimeUtc(Path.Join(_root, "usr/lib"), when);
        var problems = new List<string>();
        var copier = new TreeCopier(problems.Add);
        var copy = Path.Join(_work, "copy");

        copier.Copy(_root, copy, "/", CancellationToken.None);

        Assert.Empty(problems);
        Assert.Equal("image's libc", File.ReadAllText(Path.Join(copy, "usr/lib/libc.so")));
        Assert.Equal((UnixFileMode)0x1E4, File.GetUnixFileMode(Path.Join(copy, "usr/lib/libc.so")));
        Assert.Equal(when, File.GetLastWriteTimeUtc(Path.Join(copy, "usr/lib/libc.so")));
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(Path.Join(copy, "usr/lib")));
        Assert.Equal(when, Directory.GetLastWriteTimeUtc(Path.Join(copy, "usr/lib")));
        Assert.Equal("/usr/lib", new FileInfo(Path.Join(copy, "lib")).LinkTarget);
        Assert.Equal((3, 12L), (copier.Files, copier.Bytes));
    }

    [Fact]
    public void A_copy_never_overwrites()
    {
        var existing = Path.Join(_work, "existing");
        File.WriteAllText(existing, "mine");

        Assert.Throws<IOException>(() => new TreeCopier(_ => { }).Copy(Path.Join(_root, "usr/lib/libc.so"), existing, "/usr/lib/libc.so", CancellationToken.None));

        Assert.Equal("mine", File.ReadAllText(existing));
    }

    [Fact]
    public void A_record_of_a_mount_is_found_by_id_or_path_only_while_its_process_lives()
    {
        var records = new MountRecords(Path.Join(_work, "records"));
        using (records.Record("m1", "/run/apart-core/mounts/m1", "/b/w.apt.ext4.gz"))
        {
            File.WriteAllLines(Path.Join(_work, "records", "999999"), ["1", "m2", "/mnt/dead", "/b/x"]); // a process long gone

            var found = records.Find("m1");
            Assert.Equal(new MountRecords.Entry(Environment.ProcessId, "m1", "/run/apart-core/mounts/m1", "/b/w.apt.ext4.gz", found!.Started), found);
            Assert.True(found.HolderRuns);
            Assert.Equal("m1", records.Find("/run/apart-core/mounts/m1/")?.Id);
            Assert.Null(records.Find("/mnt/dead"));
        }

        Assert.Null(records.Find("m1"));
    }
}
