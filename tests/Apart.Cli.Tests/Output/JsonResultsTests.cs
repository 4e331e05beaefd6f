using System.Text.Json;
using Apart.Abstractions;
using Apart.Protocol;
using Apart.Cli.Output;
using Apart.Cli.Session;

namespace Apart.Cli.Tests.Output;

public sealed class JsonResultsTests
{
    private static readonly DateTimeOffset Start = new(2024, 5, 3, 10, 20, 0, TimeSpan.Zero);

    private static JsonElement Json(Action<TextWriter> write)
    {
        var text = new StringWriter();
        write(text);
        return JsonDocument.Parse(text.ToString()).RootElement;
    }

    [Fact]
    public void The_list_has_every_part_with_its_facts_and_the_compressions()
    {
        var status = new StatusEvent(
            CoreStatus.Started,
            [new ListedSource("loop3", 64 << 20, [new ListedPart("loop3", 64 << 20, false, "ext4", "data", "u-1")]),
             new ListedSource("sda", 1000, [new ListedPart("sda1", 500, true)])],
            ["gz", "zst"]);

        var json = Json(writer => JsonResults.Write(writer, JsonResults.List(status)));

        var part = json.GetProperty("sources")[0].GetProperty("parts")[0];
        Assert.Equal("/dev/loop3", part.GetProperty("path").GetString());
        Assert.Equal("ext4", part.GetProperty("fstype").GetString());
        Assert.Equal("data", part.GetProperty("label").GetString());
        Assert.False(part.GetProperty("mounted").GetBoolean());
        Assert.Equal("u-1", part.GetProperty("uuid").GetString());
        Assert.Equal(64 << 20, part.GetProperty("size").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("sources")[1].GetProperty("parts")[0].GetProperty("fstype").ValueKind);
        Assert.Equal(["gz", "zst"], json.GetProperty("compression_options").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void The_list_gives_each_disks_partition_table_and_a_disk_clone_result_its_directory()
    {
        var status = new StatusEvent(CoreStatus.Started, [new ListedSource("sda", 1000, [new ListedPart("sda1", 500, false, "ext4")], "gpt")], ["gz"]);
        var final = new JobProgress(JobKind.CloneDisk, "j2", "/dev/sda", "/b/laptop-2024-05-03T1020-img", Start) { Complete = 1, Finish = Start, ImageSize = 9 };
        var restored = new JobProgress(JobKind.RestoreDisk, "j3", "/b/laptop-2024-05-03T1020-img", "/dev/sdb", Start) { Complete = 1, Finish = Start, Note = "vfat stays" };

        var list = Json(writer => JsonResults.Write(writer, JsonResults.List(status)));
        var clone = Json(writer => JsonResults.Write(writer, JsonResults.Job(
            new CloneDiskRequest("/dev/sda", "/b", "laptop", null), JobKind.CloneDisk, new JobOutcome.Succeeded(final))));
        var restore = Json(writer => JsonResults.Write(writer, JsonResults.Job(
            new RestoreDiskRequest("/b/laptop-2024-05-03T1020-img", "/dev/sdb", true), JobKind.RestoreDisk, new JobOutcome.Succeeded(restored))));

        Assert.Equal("gpt", list.GetProperty("sources")[0].GetProperty("table").GetString());
        Assert.Equal(("clone-disk", "/b/laptop-2024-05-03T1020-img", "/dev/sda"), (clone.GetProperty("job").GetString(), clone.GetProperty("image").GetString(), clone.GetProperty("device").GetString()));
        Assert.Equal(("/b/laptop-2024-05-03T1020-img", "/dev/sdb", "vfat stays"), (restore.GetProperty("image").GetString(), restore.GetProperty("device").GetString(), restore.GetProperty("note").GetString()));
    }

    [Fact]
    public void A_clone_result_names_the_image_its_size_and_the_device()
    {
        var final = new JobProgress(JobKind.Clone, "j1", "/dev/sda1", "/b/w-2024-05-03T1020.apt.ext4.gz", Start)
        {
            Complete = 1, Finish = Start.AddSeconds(3), ImageSize = 4096,
        };

        var json = Json(writer => JsonResults.Write(writer, JsonResults.Job(
            new CloneRequest("/dev/sda1", "/b", "w", null), JobKind.Clone, new JobOutcome.Succeeded(final))));

        Assert.Equal("succeeded", json.GetProperty("result").GetString());
        Assert.Equal("clone", json.GetProperty("job").GetString());
        Assert.Equal("/b/w-2024-05-03T1020.apt.ext4.gz", json.GetProperty("image").GetString());
        Assert.Equal("/dev/sda1", json.GetProperty("device").GetString());
        Assert.Equal(4096, json.GetProperty("image_size").GetInt64());
        Assert.Equal(Start.AddSeconds(3), json.GetProperty("finish").GetDateTimeOffset());
    }

    [Fact]
    public void Failed_and_cancelled_results_carry_the_cores_words()
    {
        var request = new RestoreRequest("/b/w.gz", "/dev/sdb1");
        var failure = new JobFailed(JobKind.Restore, "j2", "/b/w.gz", "/dev/sdb1", Start, Start, JobFailed.Cancelled);

        var cancelled = Json(writer => JsonResults.Write(writer, JsonResults.Job(request, JobKind.Restore, new JobOutcome.Cancelled(failure))));
        var refused = Json(writer => JsonResults.Write(writer, JsonResults.Job(request, JobKind.Restore, new JobOutcome.Failed("/dev/sdb1 is mounted", null))));

        Assert.Equal(("cancelled", "Cancelled", "/b/w.gz", "/dev/sdb1"), (cancelled.GetProperty("result").GetString(), cancelled.GetProperty("error").GetString(), cancelled.GetProperty("image").GetString(), cancelled.GetProperty("device").GetString()));
        Assert.Equal(("failed", "/dev/sdb1 is mounted"), (refused.GetProperty("result").GetString(), refused.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("id").ValueKind);
    }
}
