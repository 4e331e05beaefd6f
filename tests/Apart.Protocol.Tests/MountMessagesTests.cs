using System.Text;

namespace Apart.Protocol.Tests;

/// <summary>The messages of mounting images read-only (docs/PROTOCOL.md §11), as they travel and as a core refuses them.</summary>
public sealed class MountMessagesTests
{
    private static Request DecodeRequest(string yaml) => ProtocolCodec.DecodeRequest(Encoding.UTF8.GetBytes(yaml));

    private static CoreEvent? DecodeEvent(string yaml) => ProtocolCodec.DecodeEvent(Encoding.UTF8.GetBytes(yaml));

    [Fact]
    public void A_mount_request_is_written_with_only_the_fields_given()
    {
        Assert.Equal(
            "type: mount-image\nsource: /b/w-2017-05-03T1020.apt.ext4.gz\n",
            ProtocolCodec.ToYaml(new MountImageRequest("/b/w-2017-05-03T1020.apt.ext4.gz")));
        Assert.Equal(
            "type: mount-image\nsource: /b/laptop-img\npart: sda2\nmountpoint: /home/me/old\n",
            ProtocolCodec.ToYaml(new MountImageRequest("/b/laptop-img", "sda2", "/home/me/old")));
    }

    [Fact]
    public void Reads_mount_and_unmount_requests()
    {
        Assert.Equal(new MountImageRequest("/b/x.apt.ext4.gz"), DecodeRequest("type: mount-image\nsource: /b/x.apt.ext4.gz"));
        Assert.Equal(new MountImageRequest("/b/i", "sdb1", "/mnt/p"), DecodeRequest("{type: mount-image, source: /b/i, part: sdb1, mountpoint: /mnt/p}"));
        Assert.Equal(new MountImageRequest("/b/i", null, null), DecodeRequest("type: mount-image\nsource: /b/i\npart: ~\nmountpoint: ~"));
        Assert.Equal(new UnmountImageRequest("3f2a9c01"), DecodeRequest("type: unmount-image\nid: 3f2a9c01"));
    }

    [Theory]
    [InlineData("type: mount-image", "The mount-image request lacks 'source'")]
    [InlineData("type: mount-image\nsource: ~", "lacks 'source'")]
    [InlineData("type: mount-image\nsource: [/a, /b]", "'source' must be a single value")]
    [InlineData("type: mount-image\nsource: /a\npart: {name: sda1}", "'part' must be a single value")]
    [InlineData("type: mount-image\nsource: /a\nmountpoint: [/mnt]", "'mountpoint' must be a single value")]
    [InlineData("type: unmount-image", "The unmount-image request lacks 'id'")]
    [InlineData("type: unmount-image\nid: [1]", "'id' must be a single value")]
    [InlineData("type: mounted-image\nid: x\nsource: /a\npath: /m\nfstype: ext4", "Unknown request type 'mounted-image'")]
    public void Bad_mount_requests_are_refused_with_a_reason(string yaml, string reason)
    {
        var refused = Assert.Throws<InvalidMessageException>(() => DecodeRequest(yaml));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_mount_request_names_its_type() =>
        Assert.Equal(MessageTypes.MountImage, Assert.Throws<InvalidMessageException>(() => DecodeRequest("type: mount-image\npart: sda1")).MessageType);

    [Fact]
    public void Hostile_values_come_back_as_text_unchanged()
    {
        foreach (var odd in Samples.OddStrings)
        {
            var request = new MountImageRequest(odd, odd, odd);

            Assert.Equal(request, ProtocolCodec.DecodeRequest(ProtocolCodec.Encode(request)));
        }
    }

    [Fact]
    public void The_answers_read_back_as_written()
    {
        CoreEvent[] answers =
        [
            new ImageMounted("3f2a9c01", "/b/w-2017-05-03T1020.apt.ntfs.lz4", "/run/apart-core/mounts/3f2a9c01", "ntfs"),
            new ImageMountFailed("/b/x", "It is damaged: bad block at 4096."),
            new ImageUnmounted("3f2a9c01"),
            new ImageUnmountFailed("3f2a9c01", "bash (pid 4242) has files open there."),
        ];

        foreach (var answer in answers)
        {
            Assert.Equal(answer, DecodeEvent(ProtocolCodec.ToYaml(answer)));
        }
    }

    [Fact]
    public void A_mounted_image_is_written_in_the_documented_order() =>
        Assert.Equal(
            "type: mounted-image\nid: 3f2a9c01\nsource: /b/w.apt.ext4.gz\npath: /mnt/x\nfstype: ext4\n",
            ProtocolCodec.ToYaml(new ImageMounted("3f2a9c01", "/b/w.apt.ext4.gz", "/mnt/x", "ext4")));

    [Fact]
    public void A_running_status_lists_its_mounts_after_its_jobs()
    {
        var yaml = ProtocolCodec.ToYaml(new StatusEvent(CoreStatus.Running, [], ["gz"], [], [new ListedMount("ab", "/b/w.apt.ext4.gz", "/mnt/x")]));

        Assert.Equal(
            "type: status\nstatus: running\nsources: []\ncompression_options: [gz]\njobs: []\nmounts:\n- id: ab\n  source: /b/w.apt.ext4.gz\n  path: /mnt/x\n",
            yaml);
    }

    [Fact]
    public void No_mounts_are_an_empty_list_as_no_jobs_are() =>
        Assert.EndsWith("jobs: []\nmounts: []\n", ProtocolCodec.ToYaml(new StatusEvent(CoreStatus.Running, [], ["gz"], [], [])), StringComparison.Ordinal);

    [Fact]
    public void A_status_from_a_core_without_mounts_reads_as_none() =>
        Assert.Null(Assert.IsType<StatusEvent>(DecodeEvent("type: status\nstatus: running\nsources: []\njobs: []\n")).Mounts);

    [Theory]
    [InlineData("type: status\nstatus: running\nmounts: /mnt/x", "'mounts' in the status message must be a list")]
    [InlineData("type: status\nstatus: running\nmounts: [/mnt/x]", "The items of 'mounts' in the status message must be mappings")]
    [InlineData("type: status\nstatus: running\nmounts:\n- id: a\n  source: /b", "lacks 'path'")]
    [InlineData("type: mounted-image\nid: a\nsource: /b\npath: /m", "lacks 'fstype'")]
    [InlineData("type: mount-image-failed\nsource: /b", "lacks 'error'")]
    [InlineData("type: unmount-image-failed\nid: a\nerror: [x]", "'error' must be a single value")]
    public void Malformed_answers_are_refused_with_a_reason(string yaml, string reason)
    {
        var refused = Assert.Throws<InvalidMessageException>(() => DecodeEvent(yaml));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }
}
