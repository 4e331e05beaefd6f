namespace Apart.Plugins;

/// <summary>A plugin built against a contract version this host does not load (<see cref="ContractVersion"/>).</summary>
public sealed class IncompatiblePluginException : Exception
{
    public IncompatiblePluginException()
    {
    }

    public IncompatiblePluginException(string message)
        : base(message)
    {
    }

    public IncompatiblePluginException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
