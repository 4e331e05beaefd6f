namespace Apart.Protocol;

/// <summary>A message from a presenter to the core (docs/PROTOCOL.md §3–8).</summary>
public abstract record Request;

/// <summary><c>status-request</c>: asks for a <c>status: running</c> message with fresh data.</summary>
public sealed record StatusRequest : Request;

/// <summary><c>kill-request</c>: cancel every job, then report <c>status: dying</c> and exit.</summary>
public sealed record KillRequest : Request;

/// <summary><c>clone</c>: image a listed part to a new file in an existing directory.</summary>
/// <param name="Source">The part's device path, e.g. <c>/dev/sda1</c>.</param>
/// <param name="Destination">An existing directory, absolute.</param>
/// <param name="Name">The image's name, the first part of its file name.</param>
/// <param name="Compression">A name from <c>compression_options</c>; null means the default, <c>gz</c>.</param>
public sealed record CloneRequest(string Source, string Destination, string Name, string? Compression = null) : Request;

/// <summary><c>restore</c>: write an image file to a listed, unmounted part.</summary>
/// <param name="Source">The image file: Apart's, or a Clonezilla partition image (its first piece, <c>….aa</c>).</param>
/// <param name="Destination">The part's device path.</param>
/// <param name="Grow">Extension: grow the restored filesystem to fill a larger part; null or false leaves it at its size.</param>
public sealed record RestoreRequest(string Source, string Destination, bool? Grow = null) : Request;

/// <summary><c>verify</c>: read an image whole and check it: an image file, a Clonezilla partition image, or an image directory (every partition).</summary>
public sealed record VerifyRequest(string Source) : Request;

/// <summary><c>clone-disk</c> (extension): image a listed whole disk with a partition table to a new image directory.</summary>
/// <param name="Source">The disk's device path, e.g. <c>/dev/sdb</c>.</param>
/// <param name="Destination">An existing directory, absolute, where the image directory is made.</param>
/// <param name="Name">The image's name, the first part of its directory's name.</param>
/// <param name="Compression">A name from <c>compression_options</c>; null means the default, <c>gz</c>.</param>
public sealed record CloneDiskRequest(string Source, string Destination, string Name, string? Compression = null) : Request;

/// <summary><c>restore-disk</c> (extension): write an image directory (Apart's or Clonezilla's) to a listed whole disk.</summary>
/// <param name="Source">The image directory.</param>
/// <param name="Destination">The disk's device path.</param>
/// <param name="Grow">Extend the last partition, and its filesystem, to the end of a larger disk.</param>
public sealed record RestoreDiskRequest(string Source, string Destination, bool? Grow = null) : Request;

/// <summary><c>cancel-clone</c>, <c>cancel-restore</c>, <c>cancel-verify</c>, <c>cancel-clone-disk</c> or <c>cancel-restore-disk</c>.</summary>
public sealed record CancelRequest(JobKind Kind, string Id) : Request;

/// <summary><c>delete-clone</c>: remove an image file, or an image directory Apart made.</summary>
public sealed record DeleteCloneRequest(string File) : Request;

/// <summary><c>mount-image</c> (extension): mount an image read-only, to browse it and copy files out.</summary>
/// <param name="Source">An Apart image file, a Clonezilla partition image (its first piece, <c>….aa</c>), or an image directory.</param>
/// <param name="Part">With an image directory: the partition to mount, by its name in the image (<c>sda1</c>).</param>
/// <param name="MountPoint">An existing empty directory; null: the core makes one under its runtime directory.</param>
public sealed record MountImageRequest(string Source, string? Part = null, string? MountPoint = null) : Request;

/// <summary><c>unmount-image</c> (extension): unmount an image mounted by <c>mount-image</c>.</summary>
/// <param name="Id">The <c>id</c> of its <c>mounted-image</c>.</param>
public sealed record UnmountImageRequest(string Id) : Request;
