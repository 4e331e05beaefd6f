using System.Text.Json.Serialization;

namespace Apart.Cli.Output;

/// <summary>The JSON <c>apart</c> prints: snake_case keys like the protocol's, indented, nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true)]
[JsonSerializable(typeof(ListJson))]
[JsonSerializable(typeof(JobResultJson))]
[JsonSerializable(typeof(MountJson))]
[JsonSerializable(typeof(ListingJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
