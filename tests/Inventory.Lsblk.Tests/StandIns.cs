using System.Globalization;

namespace Apart.Inventory.Lsblk.Tests;

/// <summary>
/// Executable stand-ins for lsblk and blkid, written once for the whole run: writing an executable
/// while other threads start processes can make exec fail with "text file busy", so none is written
/// while tests run.
/// </summary>
internal static class StandIns
{
    private static readonly Lazy<string> Root = new(Create);

    /// <summary>An lsblk stand-in printing Fixtures/<paramref name="fixture"/> whatever it is asked.</summary>
    public static string Printing(string fixture) => PathOf("print-" + fixture);

    /// <summary>A stand-in created from <see cref="Scripts"/>.</summary>
    public static string PathOf(string name) => Path.Combine(Root.Value, name);

    /// <summary>A file a stand-in writes to (its arguments, its call count).</summary>
    public static string StatePath(string name) => Path.Combine(Root.Value, "state", name);

    // Name → shell body. STATE is replaced with the state directory.
    private static readonly Dictionary<string, string> Scripts = new()
    {
        ["lsblk-fails"] = "echo 'lsblk: failed to access sysfs directory: /sys/dev/block: No such file or directory' >&2\nexit 32",
        ["lsblk-garbage"] = "echo 'NAME SIZE FSTYPE'\necho 'sda 100 ext4'",
        ["lsblk-empty"] = "exit 0",
        ["lsblk-records-arguments"] = "printf '%s\\n' \"$@\" > STATE/lsblk-arguments\ncat FIXTURES/apart-gtk-livecd.json",
        ["lsblk-legacy"] = """
            echo "$*" >> STATE/lsblk-legacy-calls
            case "$*" in *MOUNTPOINTS*) echo 'lsblk: unknown column: MOUNTPOINTS' >&2; exit 1;; esac
            cat FIXTURES/apart-gtk-two-disks.json
            """,
        // The original core's columns only, sizes as strings, no uuid, devices of another machine.
        ["lsblk-original-columns"] = """
            cat <<'JSON'
            {"blockdevices": [
              {"name": "sdzz", "size": "500107862016", "fstype": null, "label": null, "mountpoint": null,
               "children": [
                 {"name": "sdzz1", "size": "209715200", "fstype": "vfat", "label": "ESP", "mountpoint": "/boot"},
                 {"name": "sdzz2", "size": "499896049664", "fstype": null, "label": null, "mountpoint": null}
               ]}
            ]}
            JSON
            """,
        ["blkid-records-arguments"] = "printf '%s\\n' \"$@\" > STATE/blkid-arguments\ncat FIXTURES/blkid-export-loop-partitions.txt",
        ["blkid-must-not-run"] = "touch STATE/blkid-ran\nexit 2",
        ["blkid-usage-error"] = "cat FIXTURES/blkid-export-loop-partitions.txt\necho 'blkid: bad usage' >&2\nexit 4",
        ["blkid-finds-nothing"] = "exit 2",
        ["blkid-hangs"] = "exec sleep 30",
    };

    private static string Create()
    {
        var root = Path.Combine(Path.GetTempPath(), "apart-lsblk-tests-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(root, "state"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        foreach (var fixture in Directory.EnumerateFiles(Fixture.Directory, "*.json"))
        {
            Write(root, "print-" + Path.GetFileName(fixture), $"cat '{fixture}'");
        }

        foreach (var (name, body) in Scripts)
        {
            Write(root, name, body.Replace("STATE", Path.Combine(root, "state"), StringComparison.Ordinal)
                .Replace("FIXTURES", Fixture.Directory, StringComparison.Ordinal));
        }

        return root;
    }

    private static void Write(string root, string name, string body)
    {
        var path = Path.Combine(root, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
