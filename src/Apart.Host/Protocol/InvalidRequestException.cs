namespace Apart.Host.Protocol;

/// <summary>A message the core cannot act on; answered with <c>type: error</c>.</summary>
internal sealed class InvalidRequestException(string error, string? requestType = null) : Exception(error)
{
    /// <summary>The request's type, when it had a readable one.</summary>
    public string? RequestType { get; } = requestType;
}
