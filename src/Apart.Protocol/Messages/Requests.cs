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
/// <param name="Source">The image file.</param>
/// <param name="Destination">The part's device path.</param>
public sealed record RestoreRequest(string Source, string Destination) : Request;

/// <summary><c>verify</c>: read an image file whole and check it.</summary>
public sealed record VerifyRequest(string Source) : Request;

/// <summary><c>cancel-clone</c>, <c>cancel-restore</c> or <c>cancel-verify</c>.</summary>
public sealed record CancelRequest(JobKind Kind, string Id) : Request;

/// <summary><c>delete-clone</c>: remove an image file.</summary>
public sealed record DeleteCloneRequest(string File) : Request;
