using System.Text;
using Apart.Abstractions;
using Apart.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Apart.Host;

/// <summary>What <c>apart-core --help</c> prints (docs/PROTOCOL.md §1): the host's usage, and the environment variables its plugins read.</summary>
internal static class Usage
{
    private const string Head = """
        apart-core: the Apart disk and partition imaging core.

        Usage:
          apart-core ADDRESS     connect to a presenter that has bound a ZeroMQ PAIR socket at
                                 ADDRESS (ipc:///path/to/socket or tcp://host:port) and serve it
          apart-core --listen [ADDRESS]
                                 service mode: bind ADDRESS (default: the Listen setting, e.g.
                                 ipc:///run/apart/apart.sock) and serve presenters one at a
                                 time; jobs go on when a presenter disconnects
          apart-core --help      print this help

        A presenter (a GUI such as apart-gtk, or the `apart` command) starts the core and drives
        it with YAML messages: list partitions, clone a partition to a compressed image, restore,
        verify and delete images. The core needs root to read and write block devices.

        Environment:

        """;

    private const string Tail = """
          APART_StateDirectory=DIR     where the core records images being written, so a core
                                       killed outright has its partial images removed at the
                                       next start (default /var/lib/apart-core)
          APART_CacheDirectory=DIR     where the core keeps the indexes that let it mount gz
                                       images without reading them whole each time
                                       (default /var/cache/apart-core)
          APART_RuntimeDirectory=DIR   where mounted images are served and mounted when no
                                       mount point is given (default /run/apart-core)

        Service mode settings (appsettings.json beside the executable, /etc/apart/apart.json,
        or APART_<Name> environment variables): Listen, SocketGroup (default apart: its members
        and root may connect to an ipc:// socket), SocketMode (default 0660), AllowTcp and CurveSecretKey or
        CurveSecretKeyFile (tcp:// listening is off unless both are set).

        Logs go to standard error. Exit status: 0 when asked to stop (kill-request, SIGTERM,
        SIGINT), 1 for a usage error, 2 on an internal failure, 3 when the presenter went away.

        """;

    private const int NameColumn = 31;

    /// <summary>The help, with the variables of the plugins installed beside the executable.</summary>
    public static string Text()
    {
        var services = new ServiceCollection();
        _ = PluginFolderLoader.LoadAll(PluginFolderLoader.BesideExecutable, services);
        return Text(services
            .Where(descriptor => descriptor.ServiceType == typeof(EnvironmentVariableHelp))
            .Select(descriptor => descriptor.ImplementationInstance)
            .OfType<EnvironmentVariableHelp>());
    }

    /// <summary>The help, listing <paramref name="variables"/> under Environment.</summary>
    public static string Text(IEnumerable<EnvironmentVariableHelp> variables)
    {
        var text = new StringBuilder(Head);
        foreach (var variable in variables.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var lead = $"  {variable.Name}={variable.Value}";
            var lines = Wrap(variable.Description, 88 - NameColumn);
            text.Append(lead.PadRight(NameColumn - 1)).Append(' ').Append(lines[0]).Append('\n');
            foreach (var line in lines.Skip(1))
            {
                text.Append(' ', NameColumn).Append(line).Append('\n');
            }
        }

        return text.Append(Tail).ToString();
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string> { "" };
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lines[^1].Length > 0 && lines[^1].Length + 1 + word.Length > width)
            {
                lines.Add("");
            }

            lines[^1] = lines[^1].Length == 0 ? word : lines[^1] + " " + word;
        }

        return lines;
    }
}
