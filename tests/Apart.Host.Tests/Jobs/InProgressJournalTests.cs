using Apart.Host.Jobs;
using Apart.Host.Native;
using Apart.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static Tmds.Linux.LibC;

namespace Apart.Host.Tests.Jobs;

public sealed class InProgressJournalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("apart-journal-").FullName;

    private string StateDirectory => Path.Join(_root, "state");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Removes_the_images_of_a_dead_core_and_only_those()
    {
        var ours = Path.Join(_root, "a-2024-01-01T0000.apt.ext4.gz.inprogress");
        var someoneElses = Path.Join(_root, "b-2024-01-01T0000.apt.ext4.gz.inprogress");
        File.WriteAllText(someoneElses, "not ours");
        var journal = new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance);
        using (var file = NativeFile.Open(ours, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            journal.Record(ours, file);
        }

        PretendTheWriterDied();
        new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance).RemoveStale();

        Assert.False(File.Exists(ours));
        Assert.True(File.Exists(someoneElses));
        Assert.Empty(Directory.GetFiles(StateDirectory));
    }

    [Fact]
    public void Removes_the_image_directory_of_a_dead_core_with_what_it_holds()
    {
        var ours = Path.Join(_root, "laptop-2024-01-01T0000-img.inprogress");
        var journal = new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance);
        using (var parent = DirectoryHandle.Open(_root))
        using (var directory = parent.CreateDirectory(Path.GetFileName(ours), Apart.Abstractions.FileModes.OwnerOnlyDirectory))
        {
            journal.Record(ours, directory.Handle);
        }

        File.WriteAllText(Path.Join(ours, "sda1.ext4-ptcl-img.gz.aa"), "half a partition");
        PretendTheWriterDied();
        new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance).RemoveStale();

        Assert.False(Directory.Exists(ours));
        Assert.Empty(Directory.GetFiles(StateDirectory));
    }

    [RootFact]
    public void Detaches_a_loop_device_a_dead_core_recorded_and_no_other()
    {
        using var disk = Apart.Testing.LoopDevice.Create(4 << 20);
        var recorded = Programs.Run("losetup", "--find", "--show", "-o", "1048576", "--sizelimit", "1048576", disk.Path).Trim();
        var other = Programs.Run("losetup", "--find", "--show", "-o", "2097152", "--sizelimit", "1048576", disk.Path).Trim();
        try
        {
            var journal = new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance);
            _ = journal.RecordLoop(int.Parse(recorded["/dev/loop".Length..], System.Globalization.CultureInfo.InvariantCulture), 1 << 20, 1 << 20);
            _ = journal.RecordLoop(int.Parse(other["/dev/loop".Length..], System.Globalization.CultureInfo.InvariantCulture), 3 << 20, 1 << 20); // maps something else now

            PretendTheWriterDied();
            new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance).RemoveStale();

            Assert.False(Attached(recorded, disk.Path), $"{recorded} is still attached");
            Assert.True(Attached(other, disk.Path), $"{other}, which maps another range now, was detached");
            Assert.Empty(Directory.GetFiles(StateDirectory));
        }
        finally
        {
            Programs.Run("losetup", "-d", other);
            if (Attached(recorded, disk.Path))
            {
                Programs.Run("losetup", "-d", recorded);
            }
        }
    }

    private static bool Attached(string loop, string backing)
    {
        var file = $"/sys/block/{Path.GetFileName(loop)}/loop/backing_file";
        return File.Exists(file) && File.ReadAllText(file).Trim() == backing;
    }

    [Fact]
    public void Leaves_the_images_of_a_running_core()
    {
        var image = Path.Join(_root, "a-2024-01-01T0000.apt.ext4.gz.inprogress");
        var journal = new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance);
        using (var file = NativeFile.Open(image, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            journal.Record(image, file);
        }

        journal.RemoveStale();

        Assert.True(File.Exists(image));
        Assert.Single(Directory.GetFiles(StateDirectory));
    }

    [Fact]
    public void Leaves_a_file_that_replaced_the_recorded_one()
    {
        var image = Path.Join(_root, "a-2024-01-01T0000.apt.ext4.gz.inprogress");
        var journal = new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance);
        using (var file = NativeFile.Open(image, O_WRONLY | O_CREAT | O_EXCL, 0x180))
        {
            journal.Record(image, file);
        }

        File.Delete(image);
        File.WriteAllText(image + ".tmp", "someone else's");
        File.Move(image + ".tmp", image);
        PretendTheWriterDied();
        journal.RemoveStale();

        Assert.True(File.Exists(image));
    }

    [Fact]
    public void A_removed_record_is_forgotten()
    {
        var image = Path.Join(_root, "a-2024-01-01T0000.apt.ext4.gz.inprogress");
        var journal = new InProgressJournal(StateDirectory, NullLogger<InProgressJournal>.Instance);
        using var file = NativeFile.Open(image, O_WRONLY | O_CREAT | O_EXCL, 0x180);

        journal.Remove(journal.Record(image, file));

        Assert.Empty(Directory.GetFiles(StateDirectory));
    }

    // Rewrites the records' owner as a process that is not running: pid 1 with another start time.
    private void PretendTheWriterDied()
    {
        foreach (var record in Directory.GetFiles(StateDirectory))
        {
            var lines = File.ReadAllText(record).Split('\n');
            lines[0] = "1 999999999999";
            File.WriteAllText(record, string.Join('\n', lines));
        }
    }
}
