using Microsoft.Win32.SafeHandles;

namespace Apart.Host.Native;

/// <summary>The descriptors a child gets as its standard input, output and error.</summary>
internal readonly record struct StandardStreams(SafeFileHandle Input, SafeFileHandle Output, SafeFileHandle Error);
