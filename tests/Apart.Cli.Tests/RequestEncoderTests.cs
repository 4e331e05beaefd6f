using Apart.Abstractions.Protocol;
using Apart.Cli.Protocol;
using YamlDotNet.RepresentationModel;

namespace Apart.Cli.Tests;

public sealed class RequestEncoderTests
{
    // Strings YAML would read as something else, or not at all, if written plain.
    public static TheoryData<string> TrickyStrings => new()
    {
        "/mnt/backups: old", "*star", "&anchor", "!tag", "- dash", "? question", ": colon", "#hash", "a #comment",
        "|pipe", ">folded", "%percent", "@at", "`tick", "{brace}", "[bracket]", ",comma", "'single'", "\"double\"",
        "it's", "yes", "no", "on", "off", "y", "n", "true", "False", "null", "~", "", " ", "1e3", "0x1F", "0o17", "012",
        "1_000", "3:25:45", ".inf", ".nan", "2017-04-18", "2017-04-18T17:39:01Z", "<<", "=", "trailing ", " leading",
        "tab\there", "two\nlines", "ünïcode ✓", "/dev/disk/by-label/My Disk", "back\\slash", "ends with colon:",
    };

    private static Dictionary<string, string?> Read(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var mapping = Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
        return mapping.Children.ToDictionary(
            entry => ((YamlScalarNode)entry.Key).Value!,
            entry => ((YamlScalarNode)entry.Value).Value);
    }

    [Fact]
    public void Writes_every_request_type_with_its_protocol_name()
    {
        Assert.Equal("status-request", Read(RequestEncoder.ToYaml(new StatusRequest()))["type"]);
        Assert.Equal("kill-request", Read(RequestEncoder.ToYaml(new KillRequest()))["type"]);
        Assert.Equal("cancel-clone", Read(RequestEncoder.ToYaml(new CancelRequest(JobKind.Clone, "8db93abe")))["type"]);
        Assert.Equal("cancel-restore", Read(RequestEncoder.ToYaml(new CancelRequest(JobKind.Restore, "1")))["type"]);
        Assert.Equal("cancel-verify", Read(RequestEncoder.ToYaml(new CancelRequest(JobKind.Verify, "1")))["type"]);
        Assert.Equal(
            new Dictionary<string, string?> { ["type"] = "delete-clone", ["file"] = "/b/x-2024-05-03T1020.apt.dd.gz" },
            Read(RequestEncoder.ToYaml(new DeleteCloneRequest("/b/x-2024-05-03T1020.apt.dd.gz"))));
        Assert.Equal(
            new Dictionary<string, string?> { ["type"] = "verify", ["source"] = "/b/x.gz" },
            Read(RequestEncoder.ToYaml(new VerifyRequest("/b/x.gz"))));
        Assert.Equal(
            new Dictionary<string, string?> { ["type"] = "restore", ["source"] = "/b/x.gz", ["destination"] = "/dev/sdb1" },
            Read(RequestEncoder.ToYaml(new RestoreRequest("/b/x.gz", "/dev/sdb1"))));
    }

    [Fact]
    public void A_clone_request_is_plain_where_it_can_be()
    {
        var yaml = RequestEncoder.ToYaml(new CloneRequest("/dev/sda1", "/mnt/backups", "work", "zst"));

        Assert.Equal("type: clone\nsource: /dev/sda1\ndestination: /mnt/backups\nname: work\ncompression: zst\n", yaml);
    }

    [Fact]
    public void A_clone_request_without_compression_leaves_the_key_out()
    {
        var fields = Read(RequestEncoder.ToYaml(new CloneRequest("/dev/sda1", "/mnt/b", "work", null)));

        Assert.False(fields.ContainsKey("compression"));
        Assert.Equal("work", fields["name"]);
    }

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Every_string_reads_back_exactly(string tricky)
    {
        var fields = Read(RequestEncoder.ToYaml(new CloneRequest(tricky, "/mnt/" + tricky, tricky, tricky)));

        Assert.Equal(tricky, fields["source"]);
        Assert.Equal("/mnt/" + tricky, fields["destination"]);
        Assert.Equal(tricky, fields["name"]);
        Assert.Equal(tricky, fields["compression"]);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("null")]
    [InlineData("*star")]
    [InlineData("/mnt/a: b")]
    [InlineData("2017-04-18")]
    public void Strings_a_loader_would_retype_are_quoted(string tricky)
    {
        var yaml = RequestEncoder.ToYaml(new VerifyRequest(tricky));

        Assert.Contains($"source: \"{tricky}\"", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void The_message_is_utf8_yaml()
    {
        var bytes = RequestEncoder.Encode(new VerifyRequest("/b/ü.gz"));

        Assert.Equal(RequestEncoder.ToYaml(new VerifyRequest("/b/ü.gz")), System.Text.Encoding.UTF8.GetString(bytes));
    }
}
