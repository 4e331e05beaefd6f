namespace Apart.Protocol;

/// <summary>
/// A message that does not read as docs/PROTOCOL.md says it must: not UTF-8, not one YAML
/// mapping within the limits, an unknown type, or a field missing or of the wrong kind. A core
/// answers it with <c>type: error</c>; the message says what was wrong.
/// </summary>
public sealed class InvalidMessageException : Exception
{
    public InvalidMessageException()
    {
    }

    public InvalidMessageException(string message)
        : base(message)
    {
    }

    public InvalidMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="message">What was wrong.</param>
    /// <param name="messageType">The message's type, when it had a readable one.</param>
    public InvalidMessageException(string message, string? messageType)
        : base(message) => MessageType = messageType;

    /// <summary>The message's type, when it had a readable one.</summary>
    public string? MessageType { get; }
}
