using Apart.Cli.Output;
using Apart.Cli.Protocol;
using Apart.Cli.Session;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary>
/// A command that talks to a core: starts one, runs, and ends it properly, whatever happens. A core
/// that cannot be started or goes away is a failure with its reason on one line.
/// </summary>
internal abstract class SessionCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : CommandSettings
{
    /// <summary>Where this command writes.</summary>
    protected static Terminal Terminal => Terminal.Standard;

    /// <inheritdoc/>
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var session = await CoreSession.StartAsync(cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                return await RunAsync(session, settings, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Terminal.Fail("interrupted");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is CoreLostException or CoreMessageException)
        {
            Terminal.Fail(e.Message);
            return ExitCodes.Failure;
        }
    }

    /// <summary>The command's work with a started core; <paramref name="interrupted"/> fires on Ctrl-C.</summary>
    protected abstract Task<int> RunAsync(CoreSession session, TSettings settings, CancellationToken interrupted);
}
