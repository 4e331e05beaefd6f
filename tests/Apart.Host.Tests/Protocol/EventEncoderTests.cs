using System.Diagnostics;
using System.Text.Json;
using Apart.Abstractions;
using Apart.Abstractions.Protocol;
using Apart.Host.Protocol;

namespace Apart.Host.Tests.Protocol;

public sealed class EventEncoderTests
{
    private static readonly DateTimeOffset Start = new(2017, 4, 18, 17, 39, 1, TimeSpan.Zero);

    [Fact]
    public void Progress_is_written_with_unquoted_times_and_a_decimal_point()
    {
        var yaml = EventEncoder.ToYaml(new JobProgress(JobKind.Clone, "8db93abe", "/dev/sda1", "/mnt/b/work-2017-05-03T1020.apt.ext4.gz", Start)
        {
            Complete = 0,
            Rate = "9.87GB/min",
            EstimatedFinish = Start.AddSeconds(62),
        });

        Assert.Equal(
            "type: clone\nid: 8db93abe\nsource: /dev/sda1\ndestination: /mnt/b/work-2017-05-03T1020.apt.ext4.gz\n"
            + "start: 2017-04-18T17:39:01Z\ncomplete: 0.0\nsyncing: false\nrate: 9.87GB/min\nestimated_finish: 2017-04-18T17:40:03Z\n",
            yaml);
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.5634, "0.5634")]
    [InlineData(0.99999, "1.0")]
    [InlineData(0.9999, "0.9999")]
    [InlineData(0.123, "0.123")]
    public void Fractions_always_carry_a_decimal_point(double value, string expected) =>
        Assert.Equal(expected, YamlScalars.Fraction(value));

    [Fact]
    public void Status_lists_sources_parts_and_compression_options_in_order()
    {
        var yaml = EventEncoder.ToYaml(new StatusEvent(
            CoreStatus.Started,
            [new SourceDevice("sda", 213282455552, [new PartDevice("sda1", 181070200832, true, "ext4", "Arch", "c699a42a")])],
            ["gz", "uncompressed", "zst", "lz4"]));

        Assert.Equal(
            "type: status\nstatus: started\nsources:\n- name: sda\n  size: 213282455552\n  parts:\n  - name: sda1\n"
            + "    size: 181070200832\n    mounted: true\n    label: Arch\n    fstype: ext4\n    uuid: c699a42a\n"
            + "compression_options: [gz, uncompressed, zst, lz4]\n",
            yaml);
    }

    public static TheoryData<string> TrickyStrings() =>
    [
        "yes", "No", "on", "OFF", "y", "n", "true", "null", "~", "", " ", "123", "0x1F", "0o17", "017", "1_000", "1:20", "190:20:30.15",
        "1e3", "6.8523015e+5", ".inf", "-.inf", ".NaN", "2017-04-18", "2017-04-18T17:39:01Z", "<<", "=",
        "a: b", "a #b", "#x", "*star", "&anchor", "!tag", "|", ">", "%", "@", "`", "'single'", "\"double\"",
        "-", "- x", "? x", "key:", "trailing ", " leading", "tab\there", "new\nline", "nul\0x", "\u001b[A",
        "caf\u00e9", "\u65e5\u672c", "\U0001F600", "/mnt/My Backups: 2024 #1", "x; touch /tmp/pwned", "$(reboot)",
        "[list]", "{map}", "a,b", "9.87GB/min", "sda1", "mapper/vg-root", "../../etc", "\\back\\slash",
    ];

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Pyyaml_reads_back_exactly_the_string_written(string value)
    {
        var yaml = EventEncoder.ToYaml(new CloneDeleteFailed(value, value));

        Assert.Equal(value, PyyamlLoad(yaml).GetProperty("file").GetString());
    }

    [Fact]
    public void Pyyaml_reads_times_as_timezone_aware_datetimes_and_numbers_as_numbers()
    {
        var yaml = EventEncoder.ToYaml(new JobProgress(JobKind.Restore, "id", "/b/x-2017-04-18T1739.apt.ext4.gz", "/dev/sda1", Start)
        {
            Complete = 1,
            Finish = Start.AddMinutes(1),
        });

        var types = PyyamlLoad(yaml, typesOnly: true);
        Assert.Equal("datetime+tz", types.GetProperty("start").GetString());
        Assert.Equal("datetime+tz", types.GetProperty("finish").GetString());
        Assert.Equal("float", types.GetProperty("complete").GetString());
        Assert.Equal("bool", types.GetProperty("syncing").GetString());
    }

    // Loads YAML with Debian's pyyaml (yaml.safe_load), as apart-gtk does, and returns it as JSON.
    internal static JsonElement PyyamlLoad(string yaml, bool typesOnly = false)
    {
        const string Script = """
            import sys, json, yaml, datetime
            doc = yaml.safe_load(sys.stdin.read())
            def kind(v):
                if isinstance(v, datetime.datetime):
                    return "datetime+tz" if v.tzinfo is not None else "datetime-naive"
                return type(v).__name__
            if sys.argv[1] == "types":
                doc = {k: kind(v) for k, v in doc.items()}
            print(json.dumps(doc, default=str))
            """;
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script, typesOnly ? "types" : "values"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(start)!;
        python.StandardInput.Write(yaml);
        python.StandardInput.Close();
        var output = python.StandardOutput.ReadToEnd();
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"pyyaml could not load:\n{yaml}\n{error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
