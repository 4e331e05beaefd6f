namespace Apart.Protocol;

/// <summary><c>mounted-image</c> (extension): an image is mounted read-only.</summary>
/// <param name="Id">Names the mount in <c>unmount-image</c> and in a running status's <c>mounts</c>.</param>
/// <param name="Source">The image, as the request named it.</param>
/// <param name="Path">Where its files are.</param>
/// <param name="FsType">Its filesystem (<c>ext4</c>, <c>ntfs</c>…).</param>
public sealed record ImageMounted(string Id, string Source, string Path, string FsType) : CoreEvent;

/// <summary><c>mount-image-failed</c> (extension): nothing of the mount was left behind.</summary>
/// <param name="Source">The image, as the request named it.</param>
/// <param name="Error">Why, in a sentence a person can act on.</param>
public sealed record ImageMountFailed(string Source, string Error) : CoreEvent;

/// <summary><c>unmounted-image</c> (extension): the mount is gone, and all it held.</summary>
public sealed record ImageUnmounted(string Id) : CoreEvent;

/// <summary><c>unmount-image-failed</c> (extension): still mounted, e.g. a process has a file open there (named, with its pid).</summary>
public sealed record ImageUnmountFailed(string Id, string Error) : CoreEvent;

/// <summary>A mounted image as a running status lists it under <c>mounts</c> (extension).</summary>
/// <param name="Id">Its id, as <c>mounted-image</c> gave it.</param>
/// <param name="Source">The image, as the request named it.</param>
/// <param name="Path">Where its files are.</param>
public sealed record ListedMount(string Id, string Source, string Path);
