using System.Runtime.Versioning;

// apart drives Linux block devices, loop devices and Unix sockets: it runs on Linux only.
[assembly: SupportedOSPlatform("linux")]
