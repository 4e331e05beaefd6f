using Apart.Cli.Tests.Fakes;
using System.Net.Sockets;
using Apart.Protocol;
using Apart.Cli.Commands;
using Apart.Cli.Session;
using Spectre.Console.Cli;

namespace Apart.Cli.Tests.Session;

/// <summary><c>apart --connect ADDRESS</c>: reading it, checking it, and following a job on a busy service.</summary>
public sealed class ServiceConnectionTests
{
    private const string Service = "ipc:///run/apart/apart.sock";

    private static T? Parse<T>(params string[] args)
        where T : CommandSettings => SettingsParser.Parse<T>(args[0], args[1..]).Settings;

    [Fact]
    public void Every_command_that_talks_to_a_core_takes_connect()
    {
        Assert.Equal(Service, Parse<ListSettings>("list", "--connect", Service)!.Connect);
        Assert.Equal(Service, Parse<CloneSettings>("clone", "sda1", "/b", "--connect", Service)!.Connect);
        Assert.Equal(Service, Parse<RestoreSettings>("restore", "/b/x.apt.ext4.gz", "sdb1", "--yes", "--connect", Service)!.Connect);
        Assert.Equal(Service, Parse<VerifySettings>("verify", "/b/x.gz", "--connect", Service)!.Connect);
        Assert.Equal(Service, Parse<DeleteSettings>("delete", "/b/x.gz", "--connect", Service)!.Connect);
        Assert.Equal("ipc://@apart", Parse<ListSettings>("list", "--connect=ipc://@apart")!.Connect);
    }

    [Fact]
    public void Without_connect_a_command_starts_its_own_core() =>
        Assert.Null(Parse<ListSettings>("list", "--json")!.Connect);

    [Fact]
    public void The_demo_always_starts_its_own_core() =>
        Assert.Throws<CommandParseException>(() => Parse<DemoSettings>("demo", "--connect", Service));

    [Theory]
    [InlineData(new[] { "--connect", Service, "list", "--json" }, new[] { "list", "--connect", Service, "--json" })]
    [InlineData(new[] { "--connect=" + Service, "clone", "sda1", "/b" }, new[] { "clone", "--connect=" + Service, "sda1", "/b" })]
    [InlineData(new[] { "list", "--connect", Service }, new[] { "list", "--connect", Service })]
    [InlineData(new[] { "--connect", Service }, new[] { "--connect", Service })]
    [InlineData(new[] { "--connect" }, new[] { "--connect" })]
    [InlineData(new[] { "--connect", Service, "--help" }, new[] { "--connect", Service, "--help" })]
    [InlineData(new string[0], new string[0])]
    public void A_leading_connect_moves_after_the_command_name(string[] typed, string[] parsed) =>
        Assert.Equal(parsed, CliApp.GlobalOptionsAfterCommand(typed));

    [Theory]
    [InlineData("--connect", "tcp://10.0.0.2:7000", "list")]
    [InlineData("--connect", "/run/apart/apart.sock", "list")]
    [InlineData("--connect", "ipc://", "list")]
    [InlineData("list", "--connect")]
    [InlineData("--connect", Service, "demo")]
    public async Task A_wrong_connect_is_a_usage_error(params string[] args) =>
        Assert.Equal(ExitCodes.Usage, await CliApp.RunAsync(args, CancellationToken.None));

    [Fact]
    public void Only_ipc_addresses_are_accepted_and_tcp_is_explained()
    {
        Assert.Null(ServiceAddress.Problem(Service));
        Assert.Null(ServiceAddress.Problem("ipc://@apart"));
        Assert.Contains("CURVE", ServiceAddress.Problem("tcp://host:7000"), StringComparison.Ordinal);
        Assert.StartsWith("APART_CONNECT needs an ipc:// address", ServiceAddress.Problem("apart.sock", "APART_CONNECT"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Service, "ipc:///elsewhere.sock", Service)]
    [InlineData(null, "ipc:///elsewhere.sock", "ipc:///elsewhere.sock")]
    [InlineData("", "ipc:///elsewhere.sock", "ipc:///elsewhere.sock")]
    [InlineData(null, "", null)]
    [InlineData(null, null, null)]
    public void The_option_wins_over_APART_CONNECT(string? option, string? environment, string? chosen) =>
        Assert.Equal(chosen, ServiceAddress.Choose(option, environment));

    [Fact]
    public void A_missing_socket_or_a_file_that_is_not_one_is_said_at_once()
    {
        var directory = Directory.CreateTempSubdirectory("apart-cli-svc-").FullName;
        try
        {
            var missing = Path.Join(directory, "apart.sock");
            Assert.Contains("does not exist (is the service running?", ServiceSocket.Problem("ipc://" + missing, missing), StringComparison.Ordinal);

            File.WriteAllText(missing, "");
            Assert.Contains("is not a socket", ServiceSocket.Problem("ipc://" + missing, missing), StringComparison.Ordinal);
            File.Delete(missing);

            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(missing));
            Assert.Null(ServiceSocket.Problem("ipc://" + missing, missing));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Groups_are_named_from_the_group_file()
    {
        var groups = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(groups, ["root:x:0:", "apart:x:995:alice,bob"]);
            Assert.Equal("apart", ServiceSocket.GroupName(995, groups));
            Assert.Equal("1234", ServiceSocket.GroupName(1234, groups));
        }
        finally
        {
            File.Delete(groups);
        }
    }

    [Fact]
    public async Task Jobs_a_service_was_already_running_are_not_taken_for_ours()
    {
        var start = new DateTimeOffset(2024, 5, 3, 10, 20, 0, TimeSpan.Zero);
        JobProgress Progress(string id, double complete) =>
            new(JobKind.Clone, id, "/dev/sda1", "/b/x-2024-05-03T1020.apt.ext4.gz", start) { Complete = complete };
        var mine = Progress("mine", 1.0) with { Finish = start.AddSeconds(3), ImageSize = 99 };
        var core = new FakeCore(request => request is CloneRequest
            ? [Progress("other", 0.5), new JobFailed(JobKind.Clone, "other", "/dev/sdb1", null, start, start, "Cancelled"), Progress("mine", 0), mine]
            : []);
        var display = new RecordingDisplay();

        var outcome = await new JobRunner(core, display, ["other"])
            .RunAsync(new CloneRequest("/dev/sda1", "/b", "x", null), JobKind.Clone, "clone sda1", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(new JobOutcome.Succeeded(mine), outcome);
        Assert.Equal(["mine", "mine"], display.Reports.Select(p => p.Id));
    }
}
