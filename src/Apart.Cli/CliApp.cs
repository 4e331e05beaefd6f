using Apart.Cli.Commands;
using Apart.Cli.Output;
using Spectre.Console.Cli;

namespace Apart.Cli;

/// <summary>The <c>apart</c> command line: its commands, their help, and exit status 2 for usage errors.</summary>
internal static class CliApp
{
    /// <summary>The application, ready to run.</summary>
    public static CommandApp Create()
    {
        var app = new CommandApp();
        app.Configure(Configure);
        return app;
    }

    /// <summary>Runs a command line, global options (<c>apart --connect ADDRESS list</c>) included.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        Create().RunAsync(GlobalOptionsAfterCommand(args), cancellationToken);

    /// <summary>
    /// Moves the global option <c>--connect ADDRESS</c> (or <c>--connect=ADDRESS</c>) from before the
    /// command to just after its name, where Spectre.Console.Cli reads the options every command
    /// that talks to a core inherits. Anything else is left as it is, for the parser to judge.
    /// </summary>
    public static string[] GlobalOptionsAfterCommand(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var leading = 0;
        while (leading < args.Count)
        {
            if (args[leading] == "--connect" && leading + 1 < args.Count)
            {
                leading += 2;
            }
            else if (args[leading].StartsWith("--connect=", StringComparison.Ordinal))
            {
                leading += 1;
            }
            else
            {
                break;
            }
        }

        if (leading == 0 || leading == args.Count || args[leading].StartsWith('-'))
        {
            return [.. args];
        }

        return [args[leading], .. args.Take(leading), .. args.Skip(leading + 1)];
    }

    /// <summary>Declares every command (tests configure their own app with this too).</summary>
    public static void Configure(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SetApplicationName("apart");
        config.Settings.StrictParsing = true;
        config.AddExample("--connect", "ipc:///run/apart/apart.sock", CommandNames.List);
        config.AddCommand<ListCommand>(CommandNames.List)
            .WithDescription("List the partitions and filesystems that can be cloned, and the compressions available.")
            .WithExample(CommandNames.List)
            .WithExample(CommandNames.List, "--json");
        config.AddCommand<CloneCommand>(CommandNames.Clone)
            .WithDescription("Clone a partition into a new compressed image file in DIR, showing progress.")
            .WithExample(CommandNames.Clone, "/dev/sda1", "/mnt/backups")
            .WithExample(CommandNames.Clone, "sda1", "/mnt/backups", "--name", "work", "--compression", "zst");
        config.AddCommand<RestoreCommand>(CommandNames.Restore)
            .WithDescription("Restore an image onto a partition or device, overwriting everything on it. Asks first unless --yes.")
            .WithExample(CommandNames.Restore, "/mnt/backups/work-2024-05-03T1020.apt.ext4.gz", "/dev/sdb1");
        config.AddCommand<VerifyCommand>(CommandNames.Verify)
            .WithDescription("Read an image whole and check it: an image file, a disk image directory (every piece and partition), or a Clonezilla partition image.")
            .WithExample(CommandNames.Verify, "/mnt/backups/work-2024-05-03T1020.apt.ext4.gz")
            .WithExample(CommandNames.Verify, "/mnt/backups/laptop-2024-05-03T1020-img");
        config.AddCommand<CloneDiskCommand>(CommandNames.CloneDisk)
            .WithDescription("Clone a whole disk (its partition table, boot areas and every partition) into a new image directory in DIR, in Clonezilla's format, showing progress.")
            .WithExample(CommandNames.CloneDisk, "/dev/sda", "/mnt/backups")
            .WithExample(CommandNames.CloneDisk, "sda", "/mnt/backups", "--name", "laptop", "--compression", "zst");
        config.AddCommand<RestoreDiskCommand>(CommandNames.RestoreDisk)
            .WithDescription("Restore a disk image directory (Apart's, Clonezilla's or Rescuezilla's) onto a whole disk, overwriting everything on it. Asks first unless --yes.")
            .WithExample(CommandNames.RestoreDisk, "/mnt/backups/laptop-2024-05-03T1020-img", "/dev/sdb")
            .WithExample(CommandNames.RestoreDisk, "/mnt/backups/laptop-2024-05-03T1020-img", "sdb", "--grow");
        config.AddCommand<DeleteCommand>(CommandNames.Delete)
            .WithDescription("Delete an image file, or an image directory Apart made.")
            .WithExample(CommandNames.Delete, "/mnt/backups/work-2024-05-03T1020.apt.ext4.gz");
        config.AddCommand<MountCommand>(CommandNames.Mount)
            .WithDescription("Mount an image read-only and print where its files are; it stays mounted until Ctrl-C or 'apart unmount' (with --connect, in the service, and the command returns at once).")
            .WithExample(CommandNames.Mount, "/mnt/backups/work-2024-05-03T1020.apt.ext4.gz")
            .WithExample(CommandNames.Mount, "/mnt/backups/laptop-2024-05-03T1020-img", "/home/me/old", "--part", "sda2");
        config.AddCommand<UnmountCommand>(CommandNames.Unmount)
            .WithDescription("Unmount an image 'apart mount' mounted, by its path or id.")
            .WithExample(CommandNames.Unmount, "/home/me/old");
        config.AddCommand<LsCommand>(CommandNames.Ls)
            .WithDescription("List a directory inside an image, like ls -la, without restoring it (mounts it read-only for the moment).")
            .WithExample(CommandNames.Ls, "/mnt/backups/work-2024-05-03T1020.apt.ext4.gz", "/home/me");
        config.AddCommand<CpCommand>(CommandNames.Cp)
            .WithDescription("Copy a file or directory out of an image, keeping modes, times and symbolic links, without restoring it; never overwrites.")
            .WithExample(CommandNames.Cp, "/mnt/backups/work-2024-05-03T1020.apt.ext4.gz", "/home/me/thesis.odt", ".");
        config.AddCommand<DemoCommand>(CommandNames.Demo)
            .WithDescription("Show the whole job on scratch loop devices: make a small filesystem, clone it, verify and restore the image, compare every file, then remove everything. Needs root.")
            .WithExample(CommandNames.Demo);
        config.SetExceptionHandler(HandleException);
    }

    // Spectre.Console.Cli reports bad command lines by exception; anything else reaching here is a bug.
    private static int HandleException(Exception exception, ITypeResolver? resolver)
    {
        var terminal = Terminal.Standard;
        if (exception is CommandParseException or CommandRuntimeException)
        {
            terminal.Fail($"{exception.Message.TrimEnd('.')}; see 'apart --help'");
            return ExitCodes.Usage;
        }

        terminal.Fail(exception.Message);
        return ExitCodes.Failure;
    }
}
