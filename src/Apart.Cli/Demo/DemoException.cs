namespace Apart.Cli.Demo;

/// <summary>A demo step that could not be done; the message says which and why, in one line.</summary>
internal sealed class DemoException(string message, Exception? inner = null) : Exception(message, inner);
