using System.Text;

namespace Apart.Protocol.Tests;

/// <summary>What a presenter reads of the core's messages, and what it refuses.</summary>
public sealed class EventDecodingTests
{
    private static CoreEvent? Decode(string yaml) => ProtocolCodec.DecodeEvent(Encoding.UTF8.GetBytes(yaml));

    private static readonly DateTimeOffset Start = new(2017, 4, 18, 17, 39, 1, TimeSpan.Zero);

    [Fact]
    public void Reads_a_started_status_with_its_inventory()
    {
        var status = Assert.IsType<StatusEvent>(Decode("""
            type: status
            status: started
            sources:
            - name: sda
              size: 213282455552
              parts:
              - name: sda1
                size: 181070200832
                mounted: true
                label: Arch
                fstype: ext4
                uuid: c699a42a-d91b-4b1d-9cc7-ddd6b40a08a2
              - name: sda2
                size: 1024
                mounted: false
                label: ~
            - name: loop3
              size: 67108864
              parts:
              - {name: loop3, size: 67108864, mounted: false, fstype: xfs, label: "my: disk"}
            compression_options: [gz, uncompressed, zst, lz4]
            """));

        Assert.Equal(CoreStatus.Started, status.Status);
        Assert.Equal(["gz", "uncompressed", "zst", "lz4"], status.CompressionOptions);
        Assert.Equal(2, status.Sources!.Count);
        var sda = status.Sources[0];
        Assert.Equal(("sda", 213282455552L), (sda.Name, sda.Size));
        Assert.Equal(new ListedPart("sda1", 181070200832, true, "ext4", "Arch", "c699a42a-d91b-4b1d-9cc7-ddd6b40a08a2"), sda.Parts[0]);
        Assert.Equal(new ListedPart("sda2", 1024, false), sda.Parts[1]);
        Assert.Equal(new ListedPart("loop3", 67108864, false, "xfs", "my: disk"), status.Sources[1].Parts[0]);
    }

    [Fact]
    public void Reads_a_dying_status_with_nothing_else()
    {
        var status = Assert.IsType<StatusEvent>(Decode("type: status\nstatus: dying\n"));

        Assert.Equal(new StatusEvent(CoreStatus.Dying), status);
    }

    [Fact]
    public void Reads_the_running_jobs_of_a_running_status()
    {
        var status = Assert.IsType<StatusEvent>(Decode("""
            type: status
            status: running
            sources: []
            compression_options: [gz]
            jobs:
            - type: restore
              id: ab12
              source: /b/x.apt.ext4.gz
              destination: /dev/sdb1
              start: 2017-04-18T17:39:01Z
              complete: 0.25
              syncing: false
            """));

        var job = Assert.Single(status.Jobs!);
        Assert.Equal((JobKind.Restore, "ab12", 0.25), (job.Kind, job.Id, job.Complete));
    }

    [Fact]
    public void Reads_clone_progress_with_unquoted_times()
    {
        var progress = Assert.IsType<JobProgress>(Decode("""
            type: clone
            id: 8db93abe
            source: /dev/sda1
            destination: "/mnt/backups: old/work-2017-05-03T1020.apt.ext4.gz"
            start: 2017-04-18T17:39:01Z
            complete: 0.0123
            syncing: false
            source_uuid: 32b35cf2
            rate: 9.87GB/min
            estimated_finish: 2017-04-18T17:40:03.5Z
            """));

        Assert.Equal(JobKind.Clone, progress.Kind);
        Assert.Equal("8db93abe", progress.Id);
        Assert.Equal("/mnt/backups: old/work-2017-05-03T1020.apt.ext4.gz", progress.Destination);
        Assert.Equal(Start, progress.Start);
        Assert.Equal(0.0123, progress.Complete);
        Assert.False(progress.Syncing);
        Assert.Equal("9.87GB/min", progress.Rate);
        Assert.Equal(Start.AddSeconds(62.5), progress.EstimatedFinish);
        Assert.Null(progress.Finish);
        Assert.Null(progress.ImageSize);
    }

    [Fact]
    public void Reads_a_clone_success()
    {
        var progress = Assert.IsType<JobProgress>(Decode(
            "type: clone\nid: a\nsource: /dev/sda1\ndestination: /b/w.gz\nstart: 2017-04-18T17:39:01Z\ncomplete: 1.0\nsyncing: false\n"
            + "finish: 2017-04-18T17:40:02Z\nimage_size: 536766054400\nrate: ~\n"));

        Assert.Equal(1.0, progress.Complete);
        Assert.Equal(Start.AddSeconds(61), progress.Finish);
        Assert.Equal(536766054400, progress.ImageSize);
        Assert.Null(progress.Rate);
    }

    [Fact]
    public void Reads_verify_progress_without_a_destination()
    {
        var progress = Assert.IsType<JobProgress>(Decode(
            "type: verify\nid: v\nsource: /b/w.gz\nstart: 2017-04-18T17:39:01Z\ncomplete: 0.5\nsyncing: false\n"));

        Assert.Equal((JobKind.Verify, (string?)null), (progress.Kind, progress.Destination));
    }

    [Theory]
    [InlineData("clone-failed", JobKind.Clone)]
    [InlineData("restore-failed", JobKind.Restore)]
    [InlineData("verify-failed", JobKind.Verify)]
    public void Reads_failures(string type, JobKind kind)
    {
        var failed = Assert.IsType<JobFailed>(Decode(
            $"type: {type}\nid: x1\nsource: /dev/sda1\ndestination: /b\nstart: 2017-04-18T17:39:01Z\nfinish: 2017-04-18T17:39:02Z\nerror: Cancelled\n"));

        Assert.Equal(new JobFailed(kind, "x1", "/dev/sda1", "/b", Start, Start.AddSeconds(1), JobFailed.Cancelled), failed);
    }

    [Fact]
    public void Reads_delete_answers_and_errors()
    {
        Assert.Equal(new CloneDeleted("/b/x.gz"), Decode("type: deleted-clone\nfile: /b/x.gz\n"));
        Assert.Equal(new CloneDeleteFailed("/b/x.gz", "No such file"), Decode("type: delete-clone-failed\nfile: /b/x.gz\nerror: No such file\n"));
        Assert.Equal(new RequestError("Unknown request type 'x'.", "x"), Decode("type: error\nerror: Unknown request type 'x'.\nrequest: x\n"));
        Assert.Equal(new RequestError("The message is empty.", null), Decode("type: error\nerror: The message is empty.\n"));
    }

    [Fact]
    public void A_type_this_presenter_does_not_know_reads_as_nothing() =>
        Assert.Null(Decode("type: something-new\nwhatever: 1\n"));

    [Theory]
    [InlineData("type: [unclosed")]
    [InlineData("- a list")]
    [InlineData("just text")]
    [InlineData("status: started")]
    [InlineData("type: clone\nid: a\nsource: /dev/sda1\nstart: not a time\n")]
    [InlineData("type: clone\nid: a\nsource: /dev/sda1\nstart: 2017-04-18T17:39:01Z\ncomplete: half\n")]
    [InlineData("type: status\nstatus: sleeping\n")]
    public void Refuses_what_is_not_a_protocol_message(string text) =>
        Assert.Throws<InvalidMessageException>(() => Decode(text));

    [Fact]
    public void Refuses_bytes_that_are_not_utf8() =>
        Assert.Throws<InvalidMessageException>(() => ProtocolCodec.DecodeEvent([0x74, 0xff, 0xfe]));
}
