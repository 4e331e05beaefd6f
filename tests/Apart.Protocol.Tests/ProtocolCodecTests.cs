using System.Text;
using Apart.Protocol.Schema;

namespace Apart.Protocol.Tests;

/// <summary>Every message type, record → bytes → record, in the direction it travels.</summary>
public sealed class ProtocolCodecTests
{
    public static TheoryData<string> RequestYaml() => [.. Samples.Requests.Select(ProtocolCodec.ToYaml)];

    public static TheoryData<string> EventYaml() => [.. Samples.Events.Select(ProtocolCodec.ToYaml)];

    [Fact]
    public void The_samples_hold_every_message_type_of_the_schema()
    {
        static IEnumerable<string> Types(IEnumerable<string> yaml) => yaml.Select(text => text.Split('\n')[0]["type: ".Length..]).Distinct().Order();
        IEnumerable<string> Schema(Direction direction) => ProtocolCodec.Schema.Where(m => m.Direction == direction).Select(m => m.Type).Order();

        Assert.Equal(Schema(Direction.Request), Types(Samples.Requests.Select(ProtocolCodec.ToYaml)));
        Assert.Equal(Schema(Direction.Event), Types(Samples.Events.Select(ProtocolCodec.ToYaml)));
    }

    [Theory]
    [MemberData(nameof(RequestYaml))]
    public void A_request_reads_back_as_the_record_written(string yaml)
    {
        var request = ProtocolCodec.DecodeRequest(Encoding.UTF8.GetBytes(yaml));

        Assert.Equal(yaml, ProtocolCodec.ToYaml(request));
        Assert.Contains(request, Samples.Requests);
    }

    [Theory]
    [MemberData(nameof(EventYaml))]
    public void An_event_reads_back_as_the_record_written(string yaml)
    {
        var message = ProtocolCodec.DecodeEvent(Encoding.UTF8.GetBytes(yaml));

        Assert.NotNull(message);
        Assert.Equal(yaml, ProtocolCodec.ToYaml(message));
        Assert.Contains(message, Samples.Events);
    }

    [Fact]
    public void Encoding_to_bytes_is_the_yaml_text_in_utf8()
    {
        var request = new VerifyRequest("/b/ü.gz");

        Assert.Equal(ProtocolCodec.ToYaml(request), Encoding.UTF8.GetString(ProtocolCodec.Encode(request)));
    }

    public static TheoryData<string> OddStrings() => [.. Samples.OddStrings];

    [Theory]
    [MemberData(nameof(OddStrings))]
    public void Odd_strings_survive_a_request_unchanged(string odd)
    {
        var request = new CloneRequest(odd, "/mnt/" + odd, odd, odd);

        Assert.Equal(request, ProtocolCodec.DecodeRequest(ProtocolCodec.Encode(request)));
    }

    [Theory]
    [MemberData(nameof(OddStrings))]
    public void Odd_strings_survive_an_event_unchanged(string odd)
    {
        var status = new StatusEvent(CoreStatus.Running, [new ListedSource(odd, 1, [new ListedPart(odd, 1, false, odd, odd, odd)])], [odd]);
        var failed = new JobFailed(JobKind.Restore, odd, odd, odd, Samples.Start, Samples.Start, odd);

        Assert.Equal(status, ProtocolCodec.DecodeEvent(ProtocolCodec.Encode(status)));
        Assert.Equal(failed, ProtocolCodec.DecodeEvent(ProtocolCodec.Encode(failed)));
    }

    [Fact]
    public void A_message_of_the_limit_is_read_and_one_byte_more_is_refused()
    {
        var prefix = "type: verify\nsource: ";
        var fits = prefix + new string('x', ProtocolCodec.MaxMessageBytes - prefix.Length);

        Assert.Equal(new VerifyRequest(new string('x', ProtocolCodec.MaxMessageBytes - prefix.Length)), ProtocolCodec.DecodeRequest(Encoding.UTF8.GetBytes(fits)));
        var error = Assert.Throws<InvalidMessageException>(() => ProtocolCodec.DecodeRequest(Encoding.UTF8.GetBytes(fits + "x")));
        Assert.Contains("limit is 1048576 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_is_not_read_as_an_event_nor_an_event_as_a_request()
    {
        Assert.Null(ProtocolCodec.DecodeEvent(ProtocolCodec.Encode(new StatusRequest())));
        var error = Assert.Throws<InvalidMessageException>(() => ProtocolCodec.DecodeRequest(ProtocolCodec.Encode(new CloneDeleted("/b/x"))));
        Assert.Equal("Unknown request type 'deleted-clone'.", error.Message);
    }

    [Fact]
    public void A_record_missing_what_the_protocol_requires_is_a_bug_not_a_message() =>
        Assert.Throws<InvalidOperationException>(() => ProtocolCodec.Encode(new CloneRequest(null!, "/b", "n")));

    [Fact]
    public void The_schema_names_each_field_with_its_kind_and_whether_it_may_be_absent()
    {
        var clone = ProtocolCodec.Schema.Single(message => message is { Type: "clone", Direction: Direction.Request });
        var status = ProtocolCodec.Schema.Single(message => message.Type == "status");

        Assert.Equal(
            [("source", FieldKind.Text, false), ("destination", FieldKind.Text, false), ("name", FieldKind.Text, false), ("compression", FieldKind.Text, true)],
            clone.Fields.Select(field => (field.Name, field.Kind, field.Optional)));
        var sources = status.Fields.Single(field => field.Name == "sources");
        Assert.Equal((FieldKind.List, true), (sources.Kind, sources.Optional));
        Assert.Equal(["name", "size", "table", "parts"], sources.Items.Select(field => field.Name));
        Assert.Equal(["name", "size", "mounted", "label", "fstype", "uuid"], sources.Items.Single(field => field.Name == "parts").Items.Select(field => field.Name));
    }
}
