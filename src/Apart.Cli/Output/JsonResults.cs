using System.Text.Json;
using Apart.Protocol;
using Apart.Cli.Session;

namespace Apart.Cli.Output;

/// <summary>Builds and writes the JSON results.</summary>
internal static class JsonResults
{
    /// <summary>The inventory of a status message.</summary>
    public static ListJson List(StatusEvent status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new ListJson(
            (status.Sources ?? []).Select(source => new SourceJson(
                source.Name,
                "/dev/" + source.Name,
                source.Size,
                source.Table,
                source.Parts.Select(Part).ToList())).ToList(),
            status.CompressionOptions ?? []);
    }

    /// <summary>The end of a job started by <paramref name="request"/>.</summary>
    public static JobResultJson Job(Request request, JobKind kind, JobOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var (image, device) = request switch
        {
            CloneRequest clone => ((string?)null, (string?)clone.Source),
            RestoreRequest restore => (restore.Source, restore.Destination),
            VerifyRequest verify => (verify.Source, null),
            CloneDiskRequest clone => (null, clone.Source),
            RestoreDiskRequest restore => (restore.Source, restore.Destination),
            _ => (null, null),
        };
        var job = MessageTypes.Job(kind);
        return outcome switch
        {
            JobOutcome.Succeeded { Final: var final } => new JobResultJson(
                "succeeded", job, final.Id, kind is JobKind.Clone or JobKind.CloneDisk ? final.Destination : image, device, final.ImageSize, final.Start, final.Finish, null) { Note = final.Note },
            JobOutcome.Cancelled { Failure: var failed } => new JobResultJson(
                "cancelled", job, failed.Id, kind is JobKind.Clone or JobKind.CloneDisk ? failed.Destination : image, device, null, failed.Start, failed.Finish, failed.Error),
            JobOutcome.Failed { Error: var error, Failure: var failed } => new JobResultJson(
                "failed", job, failed?.Id, kind is JobKind.Clone or JobKind.CloneDisk ? failed?.Destination : image, device, null, failed?.Start, failed?.Finish, error),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
        };
    }

    /// <summary>Writes <paramref name="list"/> as indented JSON and a newline.</summary>
    public static void Write(TextWriter writer, ListJson list) =>
        WriteLine(writer, JsonSerializer.Serialize(list, CliJsonContext.Default.ListJson));

    /// <summary>Writes <paramref name="result"/> as indented JSON and a newline.</summary>
    public static void Write(TextWriter writer, JobResultJson result) =>
        WriteLine(writer, JsonSerializer.Serialize(result, CliJsonContext.Default.JobResultJson));

    /// <summary>Writes <paramref name="mount"/> as indented JSON and a newline.</summary>
    public static void Write(TextWriter writer, MountJson mount) =>
        WriteLine(writer, JsonSerializer.Serialize(mount, CliJsonContext.Default.MountJson));

    /// <summary>Writes <paramref name="listing"/> as indented JSON and a newline.</summary>
    public static void Write(TextWriter writer, ListingJson listing) =>
        WriteLine(writer, JsonSerializer.Serialize(listing, CliJsonContext.Default.ListingJson));

    private static PartJson Part(ListedPart part) =>
        new(part.Name, part.DevicePath, part.Size, part.FsType, part.Label, part.Mounted, part.Uuid);

    private static void WriteLine(TextWriter writer, string json)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(json);
        writer.Flush();
    }
}
