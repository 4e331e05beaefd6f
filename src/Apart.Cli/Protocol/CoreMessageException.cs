namespace Apart.Cli.Protocol;

/// <summary>A message from the core that does not read as PROTOCOL.md says it must.</summary>
internal sealed class CoreMessageException(string message, Exception? inner = null) : Exception(message, inner);
