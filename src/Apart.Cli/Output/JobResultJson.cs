namespace Apart.Cli.Output;

/// <summary>
/// The final result of <c>apart clone|restore|verify|clone-disk|restore-disk --json</c>, one JSON object on standard output.
/// </summary>
/// <param name="Result"><c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Job"><c>clone</c>, <c>restore</c> or <c>verify</c>.</param>
/// <param name="Id">The core's job id; null when the request was refused before a job began.</param>
/// <param name="Image">The image file (or directory): written by clone and clone-disk, read by restore, restore-disk and verify.</param>
/// <param name="Device">The device (or disk) cloned or restored to; null for verify.</param>
/// <param name="ImageSize">Clone: bytes of the image written.</param>
/// <param name="Start">When the job started.</param>
/// <param name="Finish">When it ended.</param>
/// <param name="Error">Why it failed, in the core's words.</param>
internal sealed record JobResultJson(
    string Result,
    string Job,
    string? Id,
    string? Image,
    string? Device,
    long? ImageSize,
    DateTimeOffset? Start,
    DateTimeOffset? Finish,
    string? Error)
{
    /// <summary>What the core noted about a success: a filesystem that was not grown, and why.</summary>
    public string? Note { get; init; }
}
