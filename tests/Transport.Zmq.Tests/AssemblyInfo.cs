// The transport is Linux-only (Unix sockets, SO_PEERCRED, /proc), and so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
