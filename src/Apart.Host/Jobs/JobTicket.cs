namespace Apart.Host.Jobs;

/// <summary>A job's identity, given the moment its request arrives: refusals carry it too.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Start">When its request arrived.</param>
/// <param name="Owner">Who the image it makes is given to; null leaves it root's.</param>
internal sealed record JobTicket(string Id, DateTimeOffset Start, ImageOwner? Owner = null);
