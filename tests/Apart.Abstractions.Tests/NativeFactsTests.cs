using System.Text;

namespace Apart.Abstractions.Tests;

/// <summary>The helpers the host and every plugin share for facts of the system: one of each.</summary>
public sealed class NativeFactsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("apart-abstractions-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_program_is_found_on_PATH_first_then_in_the_sbin_directories()
    {
        Assert.Equal(["/usr/local/sbin", "/usr/sbin", "/sbin"], ProgramLocator.FallbackDirectories);
        Assert.StartsWith("/", ProgramLocator.Find("sh"), StringComparison.Ordinal);
        Assert.Equal("/bin/sh", ProgramLocator.Find("/bin/sh"));
        Assert.Null(ProgramLocator.Find("apart-no-such-program"));
        Assert.Null(ProgramLocator.Find(Path.Join(_directory, "missing")));
    }

    [Fact]
    public void A_program_counts_by_the_file_its_links_end_at()
    {
        var program = Path.Join(_directory, "program");
        File.WriteAllText(program, "#!/bin/sh\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var link = Path.Join(_directory, "link");
        File.CreateSymbolicLink(link, program);
        var dangling = Path.Join(_directory, "dangling");
        File.CreateSymbolicLink(dangling, Path.Join(_directory, "gone"));
        var plain = Path.Join(_directory, "plain");
        File.WriteAllText(plain, "data");

        Assert.True(ProgramLocator.IsExecutable(link));
        Assert.False(ProgramLocator.IsExecutable(dangling));
        Assert.False(ProgramLocator.IsExecutable(plain));
        Assert.False(ProgramLocator.IsExecutable(_directory));
    }

    [Theory]
    [InlineData("0660", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite)]
    [InlineData("600", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("0", UnixFileMode.None)]
    public void Octal_modes_read_as_people_write_them(string text, UnixFileMode mode)
    {
        Assert.Equal(mode, FileModes.ParseOctal(text));
        Assert.Equal(mode, FileModes.ParseOctal(FileModes.ToOctal(mode)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0668")]
    [InlineData("4755")]
    [InlineData("rw-")]
    [InlineData("06600")]
    public void Anything_but_permission_bits_in_octal_is_no_mode(string text) => Assert.Null(FileModes.ParseOctal(text));

    [Fact]
    public void The_modes_Apart_creates_with_are_0600_and_0660()
    {
        Assert.Equal("0600", FileModes.ToOctal(FileModes.OwnerOnly));
        Assert.Equal("0660", FileModes.ToOctal(FileModes.OwnerAndGroup));
    }

    [Fact]
    public void A_path_for_the_kernel_is_utf8_with_one_nul_at_the_end()
    {
        Assert.Equal([.. Encoding.UTF8.GetBytes("/mnt/café"), 0], NativeText.NullTerminated("/mnt/café"));
        Assert.Throws<ArgumentException>(() => NativeText.NullTerminated("/etc/passwd\0.apt.ext4.gz"));
    }
}
