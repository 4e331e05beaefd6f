using Apart.Protocol;

namespace Apart.Protocol.Tests;

/// <summary>At least one message of every type, with every optional field both set and left out.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Start = new(2017, 4, 18, 17, 39, 1, TimeSpan.Zero);

    public static IReadOnlyList<Request> Requests { get; } =
    [
        new StatusRequest(),
        new KillRequest(),
        new CloneRequest("/dev/sda1", "/mnt/backups", "work", "zst"),
        new CloneRequest("/dev/sda1", "/mnt/backups", "work"),
        new RestoreRequest("/mnt/backups/work-2017-05-03T1020.apt.ext4.gz", "/dev/sdb1"),
        new RestoreRequest("/mnt/partimag/2024-img/sda1.ext4-ptcl-img.gz.aa", "/dev/sdb1", Grow: true),
        new RestoreRequest("/mnt/backups/work-2017-05-03T1020.apt.ext4.gz", "/dev/sdb1", Grow: false),
        new CloneDiskRequest("/dev/sdb", "/mnt/backups", "laptop", "zst"),
        new CloneDiskRequest("/dev/nvme0n1", "/mnt/backups", "laptop"),
        new RestoreDiskRequest("/mnt/backups/laptop-2017-05-03T1020-img", "/dev/sdc", Grow: true),
        new RestoreDiskRequest("/home/partimag/2024-05-03-10-img", "/dev/sdc"),
        new VerifyRequest("/mnt/backups/work-2017-05-03T1020.apt.ext4.gz"),
        .. MessageTypes.JobKinds.Select(kind => new CancelRequest(kind, "8db93abe")),
        new DeleteCloneRequest("/mnt/backups/work-2017-05-03T1020.apt.dd.gz"),
        new MountImageRequest("/mnt/backups/work-2017-05-03T1020.apt.ext4.zst"),
        new MountImageRequest("/mnt/backups/laptop-2017-05-03T1020-img", Part: "sda2", MountPoint: "/home/me/old"),
        new MountImageRequest("/home/partimag/2024-img/sda1.ext4-ptcl-img.gz.aa", MountPoint: "/mnt/x"),
        new UnmountImageRequest("3f2a9c01"),
    ];

    public static IReadOnlyList<CoreEvent> Events { get; } =
    [
        new StatusEvent(
            CoreStatus.Started,
            [
                new ListedSource("sda", 213282455552, [
                    new ListedPart("sda1", 181070200832, true, "ext4", "Arch", "c699a42a-d91b-4b1d-9cc7-ddd6b40a08a2"),
                    new ListedPart("sda2", 1024, false),
                ]),
                new ListedSource("mapper/vg-root", 67108864, [new ListedPart("mapper/vg-root", 67108864, false, FsType: "xfs")]),
                new ListedSource("loop5", 268435456, [new ListedPart("loop5p1", 33554432, false, "vfat", "EFI", "1A2B-3C4D"), new ListedPart("loop5p2", 201326592, false, "ext4")], "gpt"),
                new ListedSource("sdc", 1000204886016, [new ListedPart("sdc", 1000204886016, false)]),
            ],
            ["gz", "uncompressed", "zst", "lz4"]),
        new StatusEvent(CoreStatus.Running, [], [], [Progress(JobKind.Restore), Progress(JobKind.Clone) with { Complete = 0.5 }]),
        new StatusEvent(CoreStatus.Running, [], ["gz"], [], [new ListedMount("3f2a9c01", "/b/w-2017-05-03T1020.apt.ext4.gz", "/run/apart-core/mounts/3f2a9c01")]),
        new StatusEvent(CoreStatus.Dying),
        .. MessageTypes.JobKinds.SelectMany(kind => new CoreEvent[]
        {
            Progress(kind),
            Progress(kind) with
            {
                Complete = 0.5634,
                Rate = "9.87GB/min",
                EstimatedFinish = Start.AddSeconds(62),
                SourceUuid = "32b35cf2-3aa4-4d7e-9d2a-cc0b2d7c8f31",
            },
            Progress(kind) with { Complete = 0.9999, Syncing = true },
            Progress(kind) with { Complete = 1.0, Finish = Start.AddMinutes(1), ImageSize = 536766054400 },
            Progress(kind) with { Complete = 0.25, Part = "nvme0n1p2", Rate = "1.20GB/min" },
            Progress(kind) with { Complete = 1.0, Finish = Start.AddMinutes(2), Note = "vfat on sdc1 cannot grow: it was left at 32 MiB." },
            new JobFailed(kind, "8db93abe", "/dev/sda1", "/mnt/b/w-2017-05-03T1020.apt.ext4.gz", Start, Start.AddSeconds(3), "No space left on device"),
            new JobFailed(kind, "8db93abe", "/b/w-2017-05-03T1020.apt.ext4.gz", null, Start, Start, JobFailed.Cancelled),
        }),
        new CloneDeleted("/mnt/backups/work-2017-05-03T1020.apt.dd.gz"),
        new CloneDeleteFailed("/mnt/backups/notes.txt", "Only image files (NAME-YYYY-MM-DDTHHMM.apt.VARIANT.COMPRESSION) can be deleted."),
        new ImageMounted("3f2a9c01", "/mnt/backups/work-2017-05-03T1020.apt.ext4.zst", "/run/apart-core/mounts/3f2a9c01", "ext4"),
        new ImageMountFailed("/mnt/backups/notes.txt", "/mnt/backups/notes.txt is not named like an image."),
        new ImageUnmounted("3f2a9c01"),
        new ImageUnmountFailed("3f2a9c01", "It is in use: bash (pid 4242) has files open there."),
        new RequestError("Unknown request type 'reboot'.", "reboot"),
        new RequestError("The message is empty."),
    ];

    /// <summary>Strings YAML would read as something else, or not at all, if written plain.</summary>
    public static IReadOnlyList<string> OddStrings { get; } =
    [
        "yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~", "", " ", "123", "0x1F", "0o17", "017", "1_000", "1:20",
        "190:20:30.15", "1e3", "6.8523015e+5", ".inf", "-.inf", ".NaN", "2017-04-18", "2017-04-18T17:39:01Z", "<<", "=",
        "a: b", "/mnt/My Backups: 2024 #1", "a #b", "#x", "*star", "&anchor", "!tag", "|", ">", "%", "@", "`", "'single'",
        "\"double\"", "it's", "-", "- x", "? x", "key:", "trailing ", " leading", "tab\there", "new\nline", "\r\n", "\u001b[A",
        "caf\u00e9", "\u65e5\u672c", "\U0001F600", "x; touch /tmp/pwned", "$(reboot)", "[list]", "{map}", "a,b", "9.87GB/min",
        "../../etc", "\\back\\slash", "ünïcode ✓", "\u00a0nbsp", "\ufeffbom", "line\u2028separator",
    ];

    public static JobProgress Progress(JobKind kind) =>
        new(kind, "8db93abe", "/dev/sda1", kind == JobKind.Verify ? null : "/mnt/b/w-2017-05-03T1020.apt.ext4.gz", Start);
}
