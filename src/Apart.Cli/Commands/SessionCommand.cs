using Apart.Cli.Output;
using Apart.Cli.Session;
using Spectre.Console.Cli;

namespace Apart.Cli.Commands;

/// <summary>
/// A command that talks to a core: starts one, runs, and ends it properly, whatever happens; or,
/// with <c>--connect</c> or <c>APART_CONNECT</c>, connects to a running service and just leaves it
/// at the end. A core that cannot be started or reached, or goes away, is a failure with its reason
/// on one line.
/// </summary>
internal abstract class SessionCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : CoreSettings
{
    /// <summary>Where this command writes.</summary>
    protected static Terminal Terminal => Terminal.Standard;

    /// <inheritdoc/>
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var service = ServiceAddress.Choose(settings.Connect);
        if (service is not null && ServiceAddress.Problem(service, ServiceAddress.EnvironmentVariable) is { } problem)
        {
            // The option was checked with the command line; this is the environment's address.
            Terminal.Fail(problem);
            return ExitCodes.Usage;
        }

        if (service is null && await RunWithoutCoreAsync(settings, cancellationToken).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        try
        {
            var session = service is null
                ? await CoreSession.StartAsync(cancellationToken).ConfigureAwait(false)
                : await CoreSession.ConnectAsync(service, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Does the command's work without a core of its own when it needs none (no service was
    /// named); its exit status, or null to go on and start one.
    /// </summary>
    protected virtual Task<int?> RunWithoutCoreAsync(TSettings settings, CancellationToken interrupted) => Task.FromResult<int?>(null);

    /// <summary>The command's work with a started core; <paramref name="interrupted"/> fires on Ctrl-C.</summary>
    protected abstract Task<int> RunAsync(CoreSession session, TSettings settings, CancellationToken interrupted);
}
