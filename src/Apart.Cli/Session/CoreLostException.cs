namespace Apart.Cli.Session;

/// <summary>The core could not be started, exited, or stopped answering.</summary>
internal sealed class CoreLostException(string message) : Exception(message);
