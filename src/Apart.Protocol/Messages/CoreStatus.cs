namespace Apart.Protocol;

/// <summary>What the core says of itself in a <c>type: status</c> message.</summary>
public enum CoreStatus
{
    /// <summary>The first message after start-up.</summary>
    Started,

    /// <summary>The answer to a <c>status-request</c>, or the greeting to a presenter that (re)connects.</summary>
    Running,

    /// <summary>The last message before the core exits.</summary>
    Dying,
}
