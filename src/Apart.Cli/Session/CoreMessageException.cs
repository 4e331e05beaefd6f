namespace Apart.Cli.Session;

/// <summary>A message from the core that does not read as docs/PROTOCOL.md says it must.</summary>
internal sealed class CoreMessageException(string message, Exception? inner = null) : Exception(message, inner);
