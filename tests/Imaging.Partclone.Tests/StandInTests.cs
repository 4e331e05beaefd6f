using Apart.Abstractions;
using System.Text;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// The commands run against a stand-in written like the original core's (tests/mockpcl): bash
/// getopts on <c>s:cro:</c>, image on stdout for clone and from stdin with <c>-o</c>.
/// </summary>
public sealed class StandInTests : IDisposable
{
    private const string Script = """
        #!/usr/bin/env bash
        set -eu
        source="" argc="" argr="" dest=""
        while getopts 's:cro:' flag; do
          case ${flag} in
            s) source=${OPTARG} ;;
            c) argc=set ;;
            r) argr=set ;;
            o) dest=${OPTARG} ;;
            *) echo "bad option" >&2; exit 2 ;;
          esac
        done
        shift $((OPTIND - 1))
        [ $# -eq 0 ] || { echo "unexpected operands: $*" >&2; exit 2; }
        echo "Partclone v0.2.89-mock http://partclone.org" >&2
        echo "File system:  raw" >&2
        echo "Elapsed: 00:00:12, Remaining: 00:03:02, Completed:  50.00%,   9.99GB/min," >&2
        echo -en "\e[2A" >&2
        if [ -n "$dest" ]; then
          input="$(cat)"
          echo -n "c=$argc r=$argr s=$source o=$dest stdin=$input"
        else
          echo -n "c=$argc r=$argr s=$source o=$dest"
        fi
        """;

    private readonly StandInDirectory _standIns = new();
    private readonly PartcloneImager _imager;

    public StandInTests()
    {
        foreach (var variant in new[] { "dd", "ext4", "chkimg" })
        {
            _standIns.Add(variant, Script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        }

        _imager = new PartcloneImager(new PartcloneLocator(_standIns.Prefix));
    }

    public void Dispose() => _standIns.Dispose();

    [Fact]
    public async Task Clone_passes_c_and_s()
    {
        var (stdout, run) = await RunAsync(_imager.Clone("ext4", new DeviceExtent("/dev/sdz1", 1)), input: null);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("c=set r= s=/dev/sdz1 o=", stdout);
        Assert.Equal([new(0.5, TimeSpan.FromSeconds(182), "9.99GB/min")], run.Updates);
    }

    [Fact]
    public async Task Clone_raw_passes_s_only()
    {
        var (stdout, run) = await RunAsync(_imager.Clone("dd", new DeviceExtent("/dev/sdz1", 1)), input: null);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("c= r= s=/dev/sdz1 o=", stdout);
    }

    [Fact]
    public async Task Restore_passes_r_and_o_and_the_image_on_stdin()
    {
        var (stdout, run) = await RunAsync(_imager.Restore("ext4", new DeviceExtent("/dev/sdz2", 1)), "image-bytes");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("c= r=set s= o=/dev/sdz2 stdin=image-bytes", stdout);
    }

    [Fact]
    public async Task Restore_raw_passes_o_only()
    {
        var (stdout, run) = await RunAsync(_imager.Restore("dd", new DeviceExtent("/dev/sdz2", 1)), "raw-bytes");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("c= r= s= o=/dev/sdz2 stdin=raw-bytes", stdout);
    }

    [Fact]
    public async Task Check_reads_the_image_from_stdin()
    {
        var (stdout, run) = await RunAsync(Assert.IsType<ImageCheck.Program>(_imager.Check("ext4")).Command, input: null);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("c= r= s=- o=", stdout);
    }

    private static async Task<(string Stdout, ToolRun Run)> RunAsync(ImagingCommand command, string? input)
    {
        using var stdin = input is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(input));
        using var stdout = new MemoryStream();
        var run = await ToolRun.RunAsync(command, stdin, stdout);
        return (Encoding.UTF8.GetString(stdout.ToArray()), run);
    }
}
