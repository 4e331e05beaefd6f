using Apart.Cli;
using Apart.Cli.Output;

using var interruption = Interruption.Listen(Terminal.Standard.ErrorWriter);
return await CliApp.RunAsync(args, interruption.Token).ConfigureAwait(false);
