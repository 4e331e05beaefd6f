using System.Text;
using Apart.Abstractions;
using Apart.Host.Jobs;
using Apart.Host.Native;
using static Tmds.Linux.LibC;

namespace Apart.Host.Tests.Jobs;

public sealed class PipelineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("apart-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Data_flows_from_stage_to_stage_to_the_output_file()
    {
        var input = Path.Join(_directory, "in");
        var output = Path.Join(_directory, "out");
        await File.WriteAllTextAsync(input, string.Concat(Enumerable.Repeat("hello apart\n", 10_000)));

        using (var source = NativeFile.Open(input, O_RDONLY))
        using (var sink = NativeFile.Open(output, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            var result = await Pipeline.Start(
                [new(new CommandLine("gzip", ["-c"])), new(new CommandLine("gzip", ["-d", "-c"]))], source, sink)
                .WaitAsync(CancellationToken.None);
            Assert.True(result.Succeeded);
        }

        Assert.Equal(await File.ReadAllTextAsync(input), await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task Children_get_only_their_three_standard_descriptors()
    {
        var output = Path.Join(_directory, "fds");
        using (var nothing = NativeFile.Open("/dev/null", O_RDONLY))
        using (var sink = NativeFile.Open(output, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            await Pipeline.Start([new(new CommandLine("ls", ["/proc/self/fd"]))], nothing, sink).WaitAsync(CancellationToken.None);
        }

        // ls itself opens one more to read the directory.
        Assert.Equal(["0", "1", "2", "3"], (await File.ReadAllLinesAsync(output)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Stderr_reaches_the_observer_and_the_tail_and_exit_codes_are_kept()
    {
        var seen = new StringBuilder();
        using var nothing = NativeFile.Open("/dev/null", O_RDWR);

        var result = await Pipeline.Start(
            [new(new CommandLine("sh", ["-c", "echo progress >&2; echo failed here >&2; exit 3"]), text => { lock (seen) { seen.Append(text); } })],
            nothing,
            nothing).WaitAsync(CancellationToken.None);

        Assert.Equal(new ProcessExit(3, 0), result.Stages[0].Exit);
        Assert.Equal("progress\nfailed here\n", result.Stages[0].StderrTail);
        Assert.Equal("progress\nfailed here\n", seen.ToString());
    }

    [Fact]
    public async Task Cancelling_kills_and_reaps_every_stage()
    {
        using var nothing = NativeFile.Open("/dev/null", O_RDWR);
        var pipeline = Pipeline.Start([new(new CommandLine("sleep", ["30"])), new(new CommandLine("sleep", ["30"]))], nothing, nothing);
        var pids = pipeline.ProcessIds;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.WaitAsync(cancel.Token));

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} still exists"));
    }

    [Fact]
    public async Task Arguments_reach_the_program_exactly_without_a_shell()
    {
        var output = Path.Join(_directory, "args");
        string[] arguments = ["x; touch /tmp/pwned", "$(reboot)", "a b", "'q'", "*"];
        using (var nothing = NativeFile.Open("/dev/null", O_RDONLY))
        using (var sink = NativeFile.Open(output, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            await Pipeline.Start([new(new CommandLine("printf", ["%s\\n", .. arguments]))], nothing, sink).WaitAsync(CancellationToken.None);
        }

        Assert.Equal(arguments, await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public void A_missing_program_is_named()
    {
        using var nothing = NativeFile.Open("/dev/null", O_RDWR);

        var error = Assert.Throws<ProgramNotFoundException>(() => Pipeline.Start([new(new CommandLine("no-such-program-apart", []))], nothing, nothing));

        Assert.Contains("no-such-program-apart is not installed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Children_run_in_their_own_process_group_with_default_signals()
    {
        var output = Path.Join(_directory, "status");
        using (var nothing = NativeFile.Open("/dev/null", O_RDONLY))
        using (var sink = NativeFile.Open(output, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            await Pipeline.Start([new(new CommandLine("cat", ["/proc/self/status"]))], nothing, sink).WaitAsync(CancellationToken.None);
        }

        var status = await File.ReadAllLinesAsync(output);
        string Field(string name) => status.Single(line => line.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        Assert.Equal("0000000000000000", Field("SigBlk"));

        // .NET ignores SIGPIPE; children must get the default back. (32 and 33 are glibc's own.)
        var ignoredStandardSignals = Convert.ToUInt64(Field("SigIgn"), 16) & 0x7FFF_FFFF; // signals 1 to 31
        Assert.Equal(0UL, ignoredStandardSignals);
        Assert.Equal(Field("Pid"), Field("NSpgid"));
    }
}
