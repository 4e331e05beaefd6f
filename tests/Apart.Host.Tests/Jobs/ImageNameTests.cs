using Apart.Host.Jobs;

namespace Apart.Host.Tests.Jobs;

public sealed class ImageNameTests
{
    [Fact]
    public void Formats_and_parses_the_image_name_form()
    {
        var name = new ImageName("work", new DateTime(2017, 5, 3, 10, 20, 59), "ext4", "gz");

        Assert.Equal("work-2017-05-03T1020.apt.ext4.gz", name.FileName);
        Assert.Equal("work-2017-05-03T1020.apt.ext4.gz.inprogress", name.InProgressFileName);
        Assert.Equal(name with { LocalStart = new DateTime(2017, 5, 3, 10, 20, 0) }, ImageName.Parse(name.FileName));
    }

    [Theory]
    [InlineData("sda1-2017-04-18T1739.apt.ext4.gz", "sda1", "ext4", "gz")]
    [InlineData("my-backup-2017-08-09T1106.apt.f2fs.zstd", "my-backup", "f2fs", "zstd")]
    [InlineData("x; touch -2024-01-01T0000.apt.dd.uncompressed", "x; touch ", "dd", "uncompressed")]
    [InlineData("a-2017-04-18T1739.apt.hfs+.lz4", "a", "hfs+", "lz4")]
    public void Reads_names_variants_and_extensions(string file, string name, string variant, string extension)
    {
        var parsed = ImageName.Parse(file);

        Assert.NotNull(parsed);
        Assert.Equal((name, variant, extension), (parsed.Name, parsed.Variant, parsed.Extension));
    }

    [Theory]
    [InlineData("passwd")]
    [InlineData("work-2017-05-03T1020.apt.ext4.gz.inprogress")]
    [InlineData("-2017-05-03T1020.apt.ext4.gz")]
    [InlineData("work-2017-13-03T1020.apt.ext4.gz")]
    [InlineData("work-2017-05-03T1020.apt.ext4")]
    [InlineData("work-2017-05-03T1020.apt..gz")]
    [InlineData("work-2017-05-03T2560.apt.ext4.gz")]
    public void Other_names_are_not_images(string file) => Assert.Null(ImageName.Parse(file));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("../etc")]
    [InlineData("nul\0byte")]
    [InlineData("new\nline")]
    [InlineData("carriage\rreturn")]
    [InlineData(".")]
    [InlineData("..")]
    public void Names_that_cannot_be_one_path_component_are_refused(string name) => Assert.NotNull(ImageName.Problem(name));

    [Fact]
    public void Very_long_names_are_refused() => Assert.NotNull(ImageName.Problem(new string('é', 101)));

    [Theory]
    [InlineData("x; touch /tmp/pwned")]
    [InlineData("$(reboot)")]
    [InlineData("My Backup: 2024 #1")]
    [InlineData("-rf")]
    public void Shell_looking_names_are_just_names(string name) => Assert.Null(ImageName.Problem(name.Replace("/", "∕", StringComparison.Ordinal)));
}
