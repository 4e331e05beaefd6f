using System.Text;

namespace Apart.Protocol.Tests;

/// <summary>What a core reads of a presenter's requests, and what it refuses.</summary>
public sealed class RequestDecodingTests
{
    private static Request Decode(string yaml) => ProtocolCodec.DecodeRequest(Encoding.UTF8.GetBytes(yaml));

    private static InvalidMessageException Refused(byte[] message) =>
        Assert.Throws<InvalidMessageException>(() => ProtocolCodec.DecodeRequest(message));

    private static InvalidMessageException Refused(string yaml) => Refused(Encoding.UTF8.GetBytes(yaml));

    [Fact]
    public void Reads_every_request_type()
    {
        Assert.IsType<StatusRequest>(Decode("type: status-request"));
        Assert.IsType<KillRequest>(Decode("type: kill-request\n"));
        Assert.Equal(new CloneRequest("/dev/sda1", "/mnt/b", "work", "zst"), Decode("type: clone\nsource: /dev/sda1\ndestination: /mnt/b\nname: work\ncompression: zst"));
        Assert.Equal(new CloneRequest("/dev/sda1", "/mnt/b", "work", null), Decode("{type: clone, source: /dev/sda1, destination: /mnt/b, name: work}"));
        Assert.Equal(new RestoreRequest("/b/x.gz", "/dev/sda1"), Decode("type: restore\nsource: /b/x.gz\ndestination: /dev/sda1"));
        Assert.Equal(new VerifyRequest("/b/x.gz"), Decode("type: verify\nsource: /b/x.gz"));
        Assert.Equal(new CancelRequest(JobKind.Clone, "8db93abe"), Decode("type: cancel-clone\nid: 8db93abe"));
        Assert.Equal(new CancelRequest(JobKind.Restore, "1"), Decode("type: cancel-restore\nid: 1"));
        Assert.Equal(new CancelRequest(JobKind.Verify, "x"), Decode("type: cancel-verify\nid: x"));
        Assert.Equal(new DeleteCloneRequest("/b/x.gz"), Decode("type: delete-clone\nfile: /b/x.gz"));
    }

    [Fact]
    public void Values_keep_their_text_whatever_YAML_would_make_of_them()
    {
        var request = Assert.IsType<CloneRequest>(Decode("type: clone\nsource: 0.5\ndestination: '/mnt/a: b'\nname: yes\ncompression: \"null\""));

        Assert.Equal(new CloneRequest("0.5", "/mnt/a: b", "yes", "null"), request);
    }

    [Fact]
    public void A_null_optional_field_reads_as_absent() =>
        Assert.Null(Assert.IsType<CloneRequest>(Decode("type: clone\nsource: a\ndestination: b\nname: c\ncompression: ~")).Compression);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n", "empty")]
    [InlineData("- type: status-request", "not a list")]
    [InlineData("status-request", "not a single value")]
    [InlineData("source: /dev/sda1", "no 'type'")]
    [InlineData("type: [status-request]", "no 'type'")]
    [InlineData("type: reboot", "Unknown request type 'reboot'")]
    [InlineData("type: clone\nsource: /dev/sda1\nname: x", "lacks 'destination'")]
    [InlineData("type: clone\nsource: [1, 2]\ndestination: /b\nname: x", "'source' must be a single value")]
    [InlineData("type: restore\nsource: {a: 1}\ndestination: /dev/x", "'source' must be a single value")]
    [InlineData("type: cancel-clone", "lacks 'id'")]
    [InlineData("type: delete-clone\nfile: ~", "lacks 'file'")]
    [InlineData("type: status-request\ntype: kill-request", "appears twice")]
    [InlineData("type: status-request\n---\ntype: kill-request", "more than one YAML document")]
    [InlineData("type: status-request\n  bad: [", "not valid YAML")]
    [InlineData("type: clone\nsource: &a x\ndestination: *a\nname: n", "aliases")]
    [InlineData("? [a]\n: b\ntype: status-request", "keys must be plain strings")]
    [InlineData("a: b\n[\n>", "not valid YAML")] // YamlDotNet's scanner throws other exceptions too (found by the fuzz test)
    [InlineData("id: {../\ntype\\`x\n", "not valid YAML")]
    [InlineData("destination: {/tmp/x\nname: ''\n", "not valid YAML")]
    public void Bad_requests_are_refused_with_a_reason(string yaml, string reason) =>
        Assert.Contains(reason, Refused(yaml).Message, StringComparison.Ordinal);

    [Fact]
    public void The_type_of_a_request_with_a_bad_field_is_reported() =>
        Assert.Equal("clone", Refused("type: clone\nsource: x").MessageType);

    [Fact]
    public void Invalid_utf8_is_refused() =>
        Assert.Contains("UTF-8", Refused([0x74, 0x79, 0xff, 0xfe, 0x3a]).Message, StringComparison.Ordinal);

    [Fact]
    public void Binary_garbage_is_refused()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);

        Assert.NotEmpty(Refused(garbage).Message);
    }

    [Fact]
    public void A_message_over_one_MiB_is_refused_before_it_is_parsed()
    {
        var big = Encoding.UTF8.GetBytes("type: clone\nname: " + new string('x', ProtocolCodec.MaxMessageBytes));

        Assert.Contains("limit is 1048576 bytes", Refused(big).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_bomb_is_refused_without_expanding_it()
    {
        var bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 40; i++)
        {
            bomb.Append(CultureInfo($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"));
        }

        bomb.Append("type: status-request\n");

        Assert.Contains("aliases", Refused(bomb.ToString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_recursion()
    {
        var deep = "type: clone\nsource: " + new string('[', 100_000) + new string(']', 100_000);

        Assert.NotEmpty(Refused(deep).Message);
    }

    [Fact]
    public void Nesting_within_the_limit_is_read_and_refused_only_as_a_wrong_type()
    {
        var nested = "type: clone\nsource: " + new string('[', 10) + "1" + new string(']', 10) + "\ndestination: /b\nname: n";

        Assert.Contains("must be a single value", Refused(nested).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_keys_are_refused()
    {
        var keys = string.Concat(Enumerable.Range(0, 100).Select(i => $"k{i}: v\n")) + "type: status-request";

        Assert.Contains("at most 64 keys", Refused(keys).Message, StringComparison.Ordinal);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}
