using Apart.Protocol;

namespace Apart.Cli.Commands;

/// <summary>
/// The commands' names. Those that start a job are named after the request they send and the
/// job it starts (<c>apart clone</c> sends <c>type: clone</c>), so they come from the protocol.
/// </summary>
internal static class CommandNames
{
    public const string List = "list";
    public const string Delete = "delete";
    public const string Demo = "demo";
    public const string Mount = "mount";
    public const string Unmount = "unmount";
    public const string Ls = "ls";
    public const string Cp = "cp";

    public static string Clone { get; } = MessageTypes.Job(JobKind.Clone);

    public static string Restore { get; } = MessageTypes.Job(JobKind.Restore);

    public static string Verify { get; } = MessageTypes.Job(JobKind.Verify);

    public static string CloneDisk { get; } = MessageTypes.Job(JobKind.CloneDisk);

    public static string RestoreDisk { get; } = MessageTypes.Job(JobKind.RestoreDisk);
}
