namespace Apart.Host.Jobs;

/// <summary>A job's identity, given the moment its request arrives: refusals carry it too.</summary>
internal sealed record JobTicket(string Id, DateTimeOffset Start);
