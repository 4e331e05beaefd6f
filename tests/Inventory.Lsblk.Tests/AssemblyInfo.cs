using System.Runtime.Versioning;

// The inventory reads Linux block devices; these tests run lsblk, blkid and shell stand-ins.
[assembly: SupportedOSPlatform("linux")]
