using System.Diagnostics;
using System.Text.Json;
using Apart.Protocol.Yaml;
using YamlDotNet.RepresentationModel;

namespace Apart.Protocol.Tests;

/// <summary>
/// What the writer puts on the wire, as real presenters read it: apart-gtk loads the core's
/// messages with pyyaml (YAML 1.1), so times must be unquoted, <c>complete</c> must carry a
/// decimal point, and strings must be quoted exactly where a loader would retype them.
/// </summary>
public sealed class EncodingTests
{
    private static readonly DateTimeOffset Start = Samples.Start;

    [Fact]
    public void Progress_is_written_with_unquoted_times_and_a_decimal_point()
    {
        var yaml = ProtocolCodec.ToYaml(new JobProgress(JobKind.Clone, "8db93abe", "/dev/sda1", "/mnt/b/work-2017-05-03T1020.apt.ext4.gz", Start)
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
        var yaml = ProtocolCodec.ToYaml(new StatusEvent(
            CoreStatus.Started,
            [new ListedSource("sda", 213282455552, [new ListedPart("sda1", 181070200832, true, "ext4", "Arch", "c699a42a")])],
            ["gz", "uncompressed", "zst", "lz4"]));

        Assert.Equal(
            "type: status\nstatus: started\nsources:\n- name: sda\n  size: 213282455552\n  parts:\n  - name: sda1\n"
            + "    size: 181070200832\n    mounted: true\n    label: Arch\n    fstype: ext4\n    uuid: c699a42a\n"
            + "compression_options: [gz, uncompressed, zst, lz4]\n",
            yaml);
    }

    [Fact]
    public void A_running_status_carries_whole_progress_messages_under_jobs()
    {
        var yaml = ProtocolCodec.ToYaml(new StatusEvent(CoreStatus.Running, [], ["gz"], [Samples.Progress(JobKind.Verify)]));

        Assert.Equal(
            "type: status\nstatus: running\nsources: []\ncompression_options: [gz]\njobs:\n- type: verify\n  id: 8db93abe\n"
            + "  source: /dev/sda1\n  start: 2017-04-18T17:39:01Z\n  complete: 0.0\n  syncing: false\n",
            yaml);
    }

    [Fact]
    public void A_clone_request_is_plain_where_it_can_be_and_leaves_an_absent_compression_out()
    {
        Assert.Equal(
            "type: clone\nsource: /dev/sda1\ndestination: /mnt/backups\nname: work\ncompression: zst\n",
            ProtocolCodec.ToYaml(new CloneRequest("/dev/sda1", "/mnt/backups", "work", "zst")));
        Assert.Equal(
            "type: clone\nsource: /dev/sda1\ndestination: /mnt/backups\nname: work\n",
            ProtocolCodec.ToYaml(new CloneRequest("/dev/sda1", "/mnt/backups", "work")));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("null")]
    [InlineData("*star")]
    [InlineData("/mnt/a: b")]
    [InlineData("2017-04-18")]
    public void Strings_a_loader_would_retype_are_quoted(string odd) =>
        Assert.Contains($"source: \"{odd}\"", ProtocolCodec.ToYaml(new VerifyRequest(odd)), StringComparison.Ordinal);

    public static TheoryData<string> OddStrings() => [.. Samples.OddStrings];

    [Theory]
    [MemberData(nameof(OddStrings))]
    public void Pyyaml_reads_back_exactly_the_string_written(string value)
    {
        var yaml = ProtocolCodec.ToYaml(new CloneDeleteFailed(value, value));

        Assert.Equal(value, PyyamlLoad(yaml).GetProperty("file").GetString());
    }

    [Theory]
    [MemberData(nameof(OddStrings))]
    public void Another_yaml_library_reads_back_exactly_the_string_written(string value)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ProtocolCodec.ToYaml(new CloneRequest(value, value, value, value))));
        var mapping = Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);

        Assert.Equal(value, ((YamlScalarNode)mapping.Children[new YamlScalarNode("source")]).Value);
    }

    [Fact]
    public void Every_odd_string_comes_back_from_a_flow_list_and_from_nested_block_lists()
    {
        // compression_options is written [a, b], where , [ ] { } also end a plain string; the
        // sources and their parts are block lists of mappings, two levels deep.
        var odd = Samples.OddStrings;
        var yaml = ProtocolCodec.ToYaml(new StatusEvent(
            CoreStatus.Started,
            [.. odd.Select(name => new ListedSource(name, 1, [new ListedPart(name, 2, false, name, name, name)]))],
            odd));

        var loaded = PyyamlLoad(yaml);
        Assert.Equal(odd, [.. loaded.GetProperty("compression_options").EnumerateArray().Select(item => item.GetString()!)]);
        var sources = loaded.GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal(odd, [.. sources.Select(source => source.GetProperty("name").GetString()!)]);
        Assert.All(sources.Zip(odd), pair =>
        {
            var part = Assert.Single(pair.First.GetProperty("parts").EnumerateArray());
            foreach (var field in new[] { "name", "fstype", "label", "uuid" })
            {
                Assert.Equal(pair.Second, part.GetProperty(field).GetString());
            }
        });

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
        var options = Assert.IsType<YamlSequenceNode>(root.Children[new YamlScalarNode("compression_options")]);
        Assert.Equal(odd, [.. options.Children.Select(item => ((YamlScalarNode)item).Value!)]);
    }

    [Fact]
    public void Pyyaml_reads_times_as_timezone_aware_datetimes_and_numbers_as_numbers()
    {
        var yaml = ProtocolCodec.ToYaml(new JobProgress(JobKind.Restore, "id", "/b/x-2017-04-18T1739.apt.ext4.gz", "/dev/sda1", Start)
        {
            Complete = 1,
            Finish = Start.AddMinutes(1),
            ImageSize = 12,
        });

        var types = PyyamlLoad(yaml, typesOnly: true);
        Assert.Equal("datetime+tz", types.GetProperty("start").GetString());
        Assert.Equal("datetime+tz", types.GetProperty("finish").GetString());
        Assert.Equal("float", types.GetProperty("complete").GetString());
        Assert.Equal("bool", types.GetProperty("syncing").GetString());
        Assert.Equal("int", types.GetProperty("image_size").GetString());
    }

    // Loads YAML with Debian's pyyaml (yaml.safe_load), as apart-gtk does, and returns it as JSON.
    private static JsonElement PyyamlLoad(string yaml, bool typesOnly = false)
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
