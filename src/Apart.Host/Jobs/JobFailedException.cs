namespace Apart.Host.Jobs;

/// <summary>A job cannot start or cannot go on; the message is the reason sent to the presenter.</summary>
internal sealed class JobFailedException(string reason) : Exception(reason);
