using Apart.Abstractions;
using Apart.Host.Core;

namespace Apart.Host.Tests.Core;

public sealed class PresenterAccessTests
{
    [Fact]
    public void Root_and_the_group_are_admitted_and_others_are_not()
    {
        var access = new PresenterAccess(groupId: 4242);

        Assert.True(access.Admits(new PeerCredentials(Pid: -1, Uid: 0, Gid: 0)));
        Assert.True(access.Admits(new PeerCredentials(Pid: -1, Uid: 1000, Gid: 4242)));
        Assert.False(access.Admits(new PeerCredentials(Pid: -1, Uid: 1000, Gid: 1000)));
    }

    [Fact]
    public void Supplementary_groups_are_read_from_the_connecting_process()
    {
        var ownGroups = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Groups:", StringComparison.Ordinal))
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(uint.Parse).ToList();
        var access = new PresenterAccess(groupId: 4242);

        // Pretend we are not root and our primary group is something else: only /proc can tell.
        var us = new PeerCredentials(Environment.ProcessId, Uid: 1000, Gid: 1000);
        Assert.Equal(ownGroups.Contains(4242u), access.Admits(us));
    }

    [Fact]
    public void Groups_are_found_by_name_in_the_group_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["root:x:0:", "apart:x:987:alice,bob", "broken-line", "other:x:notanumber:"]);

            Assert.Equal(987u, PresenterAccess.FindGroup("apart", file));
            Assert.Null(PresenterAccess.FindGroup("other", file));
            Assert.Null(PresenterAccess.FindGroup("missing", file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("ipc:///run/apart/apart.sock", false, null, null)]
    [InlineData("tcp://0.0.0.0:5555", false, "k", "AllowTcp")]
    [InlineData("tcp://0.0.0.0:5555", true, null, "CURVE")]
    [InlineData("tcp://0.0.0.0:5555", true, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", null)]
    [InlineData("udp://x", false, null, "use ipc://")]
    public void Tcp_listening_needs_to_be_allowed_and_encrypted(string address, bool allowTcp, string? key, string? problem)
    {
        var found = new ServiceOptions(address) { AllowTcp = allowTcp, CurveSecretKey = key }.Problem();

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }
}
