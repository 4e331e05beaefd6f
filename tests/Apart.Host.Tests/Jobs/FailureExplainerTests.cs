using Apart.Host.Jobs;
using Apart.Host.Native;

namespace Apart.Host.Tests.Jobs;

public sealed class FailureExplainerTests
{
    private static StageResult Ok(string name) => new(name, new ProcessExit(0, 0), "");

    [Fact]
    public void A_killed_compressor_is_blamed_not_the_partclone_it_cut_off()
    {
        var result = new PipelineResult([
            new StageResult("partclone.ext4", new ProcessExit(0, 13), "Elapsed: 00:00:01"),
            new StageResult("pigz", new ProcessExit(0, 9), ""),
        ]);

        Assert.Equal("pigz was killed by signal 9 (SIGKILL).", FailureExplainer.Explain(result));
    }

    [Fact]
    public void Partclone_is_blamed_with_its_own_words_when_it_fails_first()
    {
        var result = new PipelineResult([
            new StageResult("partclone.ext4", new ProcessExit(1, 0), "Reading Super Block\nread ERROR: Input/output error\nPartclone fail, please check /var/log/partclone.log !\n"),
            Ok("pigz"),
        ]);

        Assert.Equal(
            "partclone.ext4 exited with status 1: read ERROR: Input/output error / Partclone fail, please check /var/log/partclone.log !",
            FailureExplainer.Explain(result));
    }

    [Fact]
    public void Running_out_of_space_is_said_first()
    {
        var result = new PipelineResult([
            new StageResult("partclone.ext4", new ProcessExit(0, 13), ""),
            new StageResult("pigz", new ProcessExit(1, 0), "pigz: abort: write error on <stdout> (No space left on device)\n"),
        ]);

        Assert.StartsWith("No space left on device", FailureExplainer.Explain(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_decompressor_that_finds_corruption_is_blamed_before_the_partclone_it_starved()
    {
        var result = new PipelineResult([
            new StageResult("zstd", new ProcessExit(1, 0), "zstd: /*stdin*\\: unsupported format \n"),
            new StageResult("partclone.ext4", new ProcessExit(1, 0), "read image error\n"),
        ]);

        Assert.StartsWith("zstd exited with status 1: zstd: /*stdin*\\: unsupported format", FailureExplainer.Explain(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_that_only_reports_a_broken_pipe_is_not_the_cause()
    {
        var result = new PipelineResult([
            new StageResult("lz4", new ProcessExit(1, 0), "Error 68 : Write error : cannot write decoded block : Broken pipe\n"),
            new StageResult("partclone.ext4", new ProcessExit(1, 0), "Target partition size(17 MB) is smaller than source(34 MB). Use option -C to disable size checking(Dangerous).\n"),
        ]);

        Assert.Contains("partclone.ext4 exited with status 1: Target partition size", FailureExplainer.Explain(result), StringComparison.Ordinal);
    }

    [Fact]
    public void An_imagers_own_last_words_are_quoted_by_the_lines_that_tell()
    {
        string[] lastWords =
        [
            "Block size:   1024 Byte",
            "WARNING: The disk has bad sectors.",
            "disk surface caused by deterioration, manufacturing faults, or",
            "Partclone fail, please check /var/log/partclone.log !",
        ];
        var result = new PipelineResult([new StageResult("partclone.ext4", new ProcessExit(1, 0), "raw stderr, not quoted"), Ok("pigz")]);

        Assert.Equal(
            "partclone.ext4 exited with status 1: WARNING: The disk has bad sectors. / Partclone fail, please check /var/log/partclone.log !",
            FailureExplainer.Explain(result, _ => lastWords));
    }

    [Fact]
    public void Escapes_and_carriage_returns_are_cleaned_from_quoted_lines() =>
        Assert.Equal(["a", "b"], FailureExplainer.LastLines("\r   \ra\r\n\u001b[Ab\u001b[2K\n"));
}
