using System.Diagnostics;
using Apart.Abstractions;

namespace Apart.Abstractions.Tests;

public sealed class ShortProgramTests
{
    private static CommandLine Shell(string script) => new("/bin/sh", ["-c", script, "sh"]);

    [Fact]
    public async Task KeepsWhatItPrintedAndItsExitStatus()
    {
        var result = await ShortProgram.RunAsync(Shell("echo out; echo 'ünïcode'; echo err >&2; exit 3"), CancellationToken.None);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\nünïcode\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
        Assert.Equal("err", result.LastWords());
    }

    [Fact]
    public async Task ArgumentsArriveExactlyAsWritten()
    {
        var result = await ShortProgram.RunAsync(new CommandLine("/bin/sh", ["-c", "printf '[%s]' \"$@\"", "sh", "a b", "$HOME", "'\"", ""]), CancellationToken.None);
        Assert.Equal("[a b][$HOME]['\"][]", result.StandardOutput);
    }

    [Fact]
    public async Task InputLocaleAndWorkingDirectoryAreTheCallers()
    {
        var directory = Directory.CreateTempSubdirectory("apart-short-").FullName;
        try
        {
            var result = await ShortProgram.RunAsync(Shell("cat; echo \"$LC_ALL\"; pwd"), CancellationToken.None, input: "given\n", workingDirectory: directory, cLocale: true);
            Assert.Equal($"given\nC\n{directory}\n", result.StandardOutput);
            var empty = await ShortProgram.RunAsync(Shell("cat; echo end"), CancellationToken.None);
            Assert.Equal("end\n", empty.StandardOutput);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public async Task InputAndOutputLargerThanAPipeFlowTogether()
    {
        // cat writes back while it is still being fed: written first and read after, both would
        // fill their pipes and wait for each other forever.
        var input = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i}\n"));
        var result = await ShortProgram.RunAsync(new CommandLine("/bin/cat", []), CancellationToken.None, input: input).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(input, result.StandardOutput);
    }

    [Fact]
    public async Task ASignalsEndIsOneHundredTwentyEightPlusItsNumber()
    {
        var result = await ShortProgram.RunAsync(Shell("kill -TERM $$"), CancellationToken.None);
        Assert.Equal(128 + 15, result.ExitCode);
    }

    [Fact]
    public async Task CancellingEndsTheWaitEvenWhenWhatItStartedKeepsItsOutputOpen()
    {
        var pidFile = Path.Join(Path.GetTempPath(), $"apart-short-{Guid.NewGuid():N}");
        using var cancel = new CancellationTokenSource();
        // The shell exits at once; the sleep it left behind holds its output open.
        var run = ShortProgram.RunAsync(Shell($"sleep 60 & echo $! > {pidFile}"), cancel.Token);
        while (!File.Exists(pidFile) || new FileInfo(pidFile).Length == 0)
        {
            await Task.Delay(10);
        }

        try
        {
            await Task.Delay(200);
            Assert.False(run.IsCompleted, "the run ended while its output was still open");
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            var sleeper = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            File.Delete(pidFile);
            Process.GetProcessById(sleeper).Kill();
        }
    }

    [Fact]
    public async Task AProgramThatIsNotThereSaysSo()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ShortProgram.RunAsync(new CommandLine("/nonexistent/tool", []), CancellationToken.None));
        Assert.StartsWith("Could not run /nonexistent/tool", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellingKillsTheProgramPromptly()
    {
        var pidFile = Path.Join(Path.GetTempPath(), $"apart-short-{Guid.NewGuid():N}");
        using var cancel = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var run = ShortProgram.RunAsync(Shell($"echo $$ > {pidFile}; exec sleep 60"), cancel.Token);
        while (!File.Exists(pidFile) || new FileInfo(pidFile).Length == 0)
        {
            await Task.Delay(10);
        }

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        var sleeper = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(pidFile);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Directory.Exists($"/proc/{sleeper}") && !File.ReadAllText($"/proc/{sleeper}/stat").Contains(") Z ", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.False(Directory.Exists($"/proc/{sleeper}") && !File.ReadAllText($"/proc/{sleeper}/stat").Contains(") Z ", StringComparison.Ordinal), "the program outlived the cancellation");
    }
}
