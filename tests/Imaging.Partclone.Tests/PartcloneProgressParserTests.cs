using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

public sealed class PartcloneProgressParserTests
{
    // The fixtures' "Space in use: 16.5 MB = 16137 Blocks" of "Block size: 1024 Byte".
    private const long FixtureDataBytes = 16137L * 1024;

    private static readonly ImagingProgress[] _fixtureUpdates =
    [
        new(1.0, TimeSpan.Zero, "495.73MB/min") { DataBytes = FixtureDataBytes },
    ];

    // The original core's partclone stand-in (tests/mockpcl/mockpcl.dd), run to 50% then 100%.
    private static readonly string _originalStandIn =
        "Partclone v0.2.89-mock http://partclone.org\n"
        + "Starting to clone/restore (-) to (-) with dd mode\n"
        + "Calculating bitmap... done!\n"
        + "File system:  raw\n"
        + "Device size:   32.2 GB = 62914560 Blocks\n"
        + "Space in use:  32.2 GB = 62914560 Blocks\n"
        + "Free Space:     0 Byte = 0 Blocks\n"
        + "Block size:   512 Byte\n"
        + "Elapsed: 00:00:12, Remaining: 00:03:02, Completed:   0.00%,   9.99GB/min,\n"
        + "current block:    3878912, total block:   62914560, Complete:   0.00\n"
        + "\u001b[2A"
        + "Elapsed: 00:00:12, Remaining: 00:03:02, Completed:   50.00%,   9.99GB/min,\n"
        + "current block:    3878912, total block:   62914560, Complete:   50.00\n"
        + "\u001b[2A"
        + "Elapsed: 00:00:12, Remaining: 00:03:02, Completed:   100.00%,   9.99GB/min,\n"
        + "current block:    3878912, total block:   62914560, Complete:   100.00\n"
        + "Total Time: 00:00:58, Ave. Rate:   33.3GB/min, 100.00% completed!\n"
        + "Syncing... OK!\n";

    [Fact]
    public void Clone_fixture_reports_the_copy_and_ignores_the_bitmap_run()
    {
        var updates = new PartcloneProgressParser().Feed(Fixture.Text("partclone-ext4-clone.stderr"));

        // The bitmap run's "Completed: 100.00%" before "File system:" is not the copy's progress.
        Assert.Equal(_fixtureUpdates, updates);
    }

    [Fact]
    public void Restore_fixture_reports_the_copy()
    {
        var updates = new PartcloneProgressParser().Feed(Fixture.Text("partclone-ext4-restore.stderr"));

        Assert.Equal(_fixtureUpdates, updates);
    }

    [Fact]
    public void The_placeholder_shown_before_anything_is_copied_is_not_progress()
    {
        // partclone's first line: a made-up 1% and 00:01:39 left, at a rate of zero.
        var parser = new PartcloneProgressParser();
        parser.Feed("File system:  EXTFS\n");

        Assert.Empty(parser.Feed("Elapsed: 00:00:01, Remaining: 00:01:39, Completed:   1.00%,   0.00byte/min,\n"));
        Assert.Single(parser.Feed("Elapsed: 00:00:02, Remaining: 00:00:30, Completed:   6.00%,   1.20GB/min,\n"));
    }

    [Fact]
    public void Nothing_is_reported_before_the_file_system_line()
    {
        var text = Fixture.Text("partclone-ext4-clone.stderr");
        var beforeCopy = text[..text.IndexOf("File system:", StringComparison.Ordinal)];

        Assert.Contains("Completed: 100.00%", beforeCopy, StringComparison.Ordinal);
        Assert.Empty(new PartcloneProgressParser().Feed(beforeCopy));
    }

    [Theory]
    [InlineData("partclone-ext4-clone.stderr")]
    [InlineData("partclone-ext4-restore.stderr")]
    [InlineData("partclone-chkimg-truncated.stderr")]
    public void Feeding_one_character_at_a_time_gives_the_same_updates(string fixture)
    {
        var text = Fixture.Text(fixture);
        var whole = new PartcloneProgressParser().Feed(text);

        var parser = new PartcloneProgressParser();
        var pieces = new List<ImagingProgress>();
        foreach (var c in text)
        {
            pieces.AddRange(parser.Feed([c]));
        }

        Assert.NotEmpty(whole);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Feeding_random_pieces_gives_the_same_updates_and_last_lines()
    {
        var text = Fixture.Text("partclone-ext4-clone.stderr") + Fixture.Text("partclone-chkimg-truncated.stderr");
        var reference = new PartcloneProgressParser();
        var whole = reference.Feed(text);
        var random = new Random(1234);

        for (var round = 0; round < 50; round++)
        {
            var parser = new PartcloneProgressParser();
            var pieces = new List<ImagingProgress>();
            for (var at = 0; at < text.Length;)
            {
                var length = Math.Min(random.Next(1, 40), text.Length - at);
                pieces.AddRange(parser.Feed(text.AsSpan(at, length)));
                at += length;
            }

            Assert.Equal(whole, pieces);
            Assert.Equal(reference.LastLines, parser.LastLines);
        }
    }

    [Fact]
    public void An_update_is_reported_as_soon_as_it_is_whole_and_only_once()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("File system:  EXTFS\n");

        var early = parser.Feed("\r" + new string(' ', 80) + "\rElapsed: 00:00:05, Remaining: 00:00:10, Completed:  33.30%, Rate: 1.20GB/min,");
        var atEnd = parser.Feed("\n\r\rcurrent block: 5, total block: 15, Complete:  33.30%\u001b[A");

        Assert.Equal([new ImagingProgress(0.333, TimeSpan.FromSeconds(10), "1.20GB/min")], early);
        Assert.Empty(atEnd);
    }

    [Fact]
    public void The_data_in_use_comes_from_the_blocks_in_use_times_the_block_size()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("Space in use:  16.5 MB = 16137 Blocks\nFree Space:  3.5 MB = 3337 Blocks\nBlock size:   1024 Byte\nFile system:  EXTFS\n");

        var update = Assert.Single(parser.Feed("Elapsed: 00:00:05, Remaining: 00:00:10, Completed:  33.30%, Rate: 1.20GB/min,\n"));

        Assert.Equal(16137L * 1024, update.DataBytes);
    }

    [Fact]
    public void An_update_split_inside_its_percentage_is_not_reported_early()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("File system:  EXTFS\n");

        Assert.Empty(parser.Feed("Elapsed: 00:00:05, Remaining: 00:00:10, Completed:  3"));
        Assert.Equal(
            [new ImagingProgress(0.333, TimeSpan.FromSeconds(10), "1.20GB/min")],
            parser.Feed("3.30%, Rate: 1.20GB/min,\n"));
    }

    [Fact]
    public void Original_stand_in_format_is_read()
    {
        var parser = new PartcloneProgressParser();

        var updates = parser.Feed(_originalStandIn);

        Assert.Equal(
            [
                new ImagingProgress(0.0, TimeSpan.FromSeconds(182), "9.99GB/min") { DataBytes = 62914560L * 512 },
                new ImagingProgress(0.5, TimeSpan.FromSeconds(182), "9.99GB/min") { DataBytes = 62914560L * 512 },
                new ImagingProgress(1.0, TimeSpan.FromSeconds(182), "9.99GB/min") { DataBytes = 62914560L * 512 },
            ],
            updates);
        Assert.Equal("Syncing... OK!", parser.LastLines[^1]);
    }

    [Theory]
    [InlineData("Elapsed: 00:00:02, Remaining: 00:01:39, Completed:   1.00%, Rate: 921.38MB/min,", 0.01, 99, "921.38MB/min")]
    [InlineData("Elapsed: 00:00:02, Remaining: 00:00:02, Completed:  46.40%, 157.29MB/min,", 0.464, 2, "157.29MB/min")]
    [InlineData("Elapsed: 00:00:02, Remaining: 00:00:00, Completed: 100.00%, Rate:   1.01GB/min,", 1.0, 0, "1.01GB/min")]
    [InlineData("Elapsed: 01:00:00, Remaining: 123:04:05, Completed:  12.50%, Rate: 15.00KB/min,", 0.125, (123 * 3600) + (4 * 60) + 5, "15.00KB/min")]
    [InlineData("Elapsed: 00:10:00, Remaining: 00:00:01, Completed:  99.99%, Seeking...,", 0.9999, 1, null)]
    [InlineData("Elapsed: 00:00:01, Remaining: 00:00:00, Completed: 100.00%", 1.0, 0, null)]
    public void Progress_line_forms(string line, double complete, int remainingSeconds, string? rate)
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("File system:  EXTFS\n");

        var update = Assert.Single(parser.Feed(line + "\n"));

        Assert.Equal(complete, update.Complete, 6);
        Assert.Equal(TimeSpan.FromSeconds(remainingSeconds), update.Remaining);
        Assert.Equal(rate, update.Rate);
    }

    [Fact]
    public void Remaining_beyond_what_a_time_span_holds_is_left_out()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("File system:  raw\n");

        var update = Assert.Single(parser.Feed("Elapsed: 00:00:01, Remaining: 99999999999:00:00, Completed:   0.01%, Rate: 1.00byte/min,\n"));

        Assert.Null(update.Remaining);
        Assert.Equal(0.0001, update.Complete, 6);
    }

    [Fact]
    public void Block_detail_lines_are_neither_progress_nor_last_lines()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("File system:  EXTFS\n");

        Assert.Empty(parser.Feed("current block:      57603, total block:      65536, Complete: 100.00%\r\n"));
        Assert.Equal(["File system:  EXTFS"], parser.LastLines);
    }

    [Fact]
    public void Last_lines_of_a_successful_clone_are_its_closing_words_without_escapes()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed(Fixture.Text("partclone-ext4-clone.stderr"));

        Assert.Equal(
            [
                "Free Space:    50.6 MB = 49399 Blocks",
                "Block size:   1024 Byte",
                "Total Time: 00:00:02, Ave. Rate:  495.7MB/min, 100.00% completed!",
                "Syncing... OK!",
                "Partclone successfully cloned the device (/dev/loop0) to the image (-)",
                "Cloned successfully.",
            ],
            parser.LastLines.TakeLast(6));
    }

    [Fact]
    public void A_boxed_warning_is_kept_by_its_words_and_a_boxed_line_by_its_first_sentence()
    {
        var parser = new PartcloneProgressParser();
        parser.Feed("""
            Block size:   1024 Byte
            *************************************************************************
            * WARNING: The disk has bad sectors. This means physical damage on the  *
            * disk surface caused by deterioration, manufacturing faults, or        *
            *******************************************************************
            Partclone fail, please check /var/log/partclone.log !

            """);

        Assert.Equal(
            [
                "Block size:   1024 Byte",
                "WARNING: The disk has bad sectors.",
                "disk surface caused by deterioration, manufacturing faults, or",
                "Partclone fail, please check /var/log/partclone.log !",
            ],
            parser.LastLines);
    }

    [Fact]
    public void Last_lines_explain_a_mounted_source()
    {
        var parser = new PartcloneProgressParser();

        Assert.Empty(parser.Feed(Fixture.Text("partclone-ext4-clone-mounted.stderr")));
        Assert.Equal(
            [
                "Partclone v0.3.23 http://partclone.org",
                "Starting to clone device (/dev/loop0) to image (-)",
                "device (/dev/loop0) is mounted at /tmp/pcl-verify/m",
                "error exit",
                "Partclone fail, please check /var/log/partclone.log !",
            ],
            parser.LastLines);
    }

    [Fact]
    public void Last_lines_explain_a_full_disk_after_the_bitmap_run()
    {
        var parser = new PartcloneProgressParser();

        Assert.Empty(parser.Feed(Fixture.Text("partclone-ext4-clone-nospace.stderr")));
        Assert.Contains("error writing image header to image: No space left on device", parser.LastLines);
        Assert.DoesNotContain(parser.LastLines, line => line.Contains("Elapsed", StringComparison.Ordinal));
    }

    [Fact]
    public void Last_lines_explain_a_read_error_in_the_middle_of_progress()
    {
        var parser = new PartcloneProgressParser();

        var updates = parser.Feed(Fixture.Text("partclone-chkimg-truncated.stderr"));

        Assert.Equal([0.3712], updates.Select(u => u.Complete));
        Assert.Equal(
            ["read ERROR:No such file or directory", "Partclone fail, please check /var/log/partclone.log !"],
            parser.LastLines.TakeLast(2));
        Assert.All(parser.LastLines, line => Assert.DoesNotContain('\u001b', line));
    }

    [Fact]
    public void Last_lines_include_a_line_not_yet_ended()
    {
        var parser = new PartcloneProgressParser();

        parser.Feed("Starting to clone device (/dev/sdz1) to image (-)\nclone: open /dev/sdz1 error");

        Assert.Equal("clone: open /dev/sdz1 error", parser.LastLines[^1]);
    }

    [Fact]
    public void Last_lines_keep_only_the_last_twelve()
    {
        // Twelve: enough for partclone's boxed bad-sector warning and its closing line.
        var parser = new PartcloneProgressParser();

        parser.Feed(string.Concat(Enumerable.Range(1, 20).Select(i => $"line {i}\r\n\r\n")) + "line 21");

        Assert.Equal(Enumerable.Range(10, 12).Select(i => $"line {i}"), parser.LastLines);
    }

    [Fact]
    public void Escape_sequences_and_control_characters_are_stripped()
    {
        var parser = new PartcloneProgressParser();

        parser.Feed("\u001b[1;31mred\u001b[0m\tword\u0007\u001b]0;title\u0007 end\u001b7\n");

        Assert.Equal(["red word end"], parser.LastLines);
    }

    [Fact]
    public void A_huge_line_without_newline_keeps_memory_bounded()
    {
        var parser = new PartcloneProgressParser();
        var chunk = new string('x', 64 * 1024);
        parser.Feed("warm up\n");
        parser.Feed(chunk);

        var updates = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 256; i++)
        {
            updates += parser.Feed(chunk).Count;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, updates);
        parser.Feed("\n");

        // 16 MiB of input; what the parser allocates must not grow with it.
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for 16 MiB of input");
        Assert.Equal(PartcloneProgressParser.MaxLineLength, parser.LastLines[^1].Length);
    }

    [Fact]
    public void A_huge_unterminated_escape_sequence_keeps_memory_bounded()
    {
        var parser = new PartcloneProgressParser();
        var chunk = new string(';', 64 * 1024);
        parser.Feed("\u001b[");
        parser.Feed(chunk);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 256; i++)
        {
            parser.Feed(chunk);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
        parser.Feed("mafter\n");
        Assert.Equal(["after"], parser.LastLines);
    }
}
