namespace Apart.Host;

/// <summary>What <c>apart-core --help</c> prints (PROTOCOL.md §1).</summary>
internal static class Usage
{
    public const string Text = """
        apart-core: the Apart partition cloning core.

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
          APART_PARTCLONE_CMD=PREFIX   run PREFIX.VARIANT as partclone for variant VARIANT
                                       (e.g. PREFIX.ext4, PREFIX.dd); default: partclone.* found
                                       in /usr/sbin, /usr/bin, /sbin, /bin, /usr/local/{sbin,bin}
          APART_LSBLK_CMD=PATH         run PATH instead of lsblk to list block devices
          APART_StateDirectory=DIR     where the core records images being written, so a core
                                       killed outright has its partial images removed at the
                                       next start (default /var/lib/apart-core)

        Service mode settings (appsettings.json beside the executable, /etc/apart/apart.json,
        or APART_<Name> environment variables): Listen, SocketGroup (default apart: its members
        and root may connect to an ipc:// socket), SocketMode (default 0660), AllowTcp and CurveSecretKey or
        CurveSecretKeyFile (tcp:// listening is off unless both are set).

        Logs go to standard error. Exit status: 0 when asked to stop (kill-request, SIGTERM,
        SIGINT), 1 for a usage error, 2 on an internal failure, 3 when the presenter went away.

        """;
}
