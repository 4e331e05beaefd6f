using Apart.Host;
using Apart.Host.Native;

StandardDescriptors.EnsureOpen();
switch (args)
{
    case ["--help" or "-h"]:
        Console.Out.Write(Usage.Text);
        return 0;
    case [var address] when !address.StartsWith('-'):
        return await CoreHost.RunAsync(address).ConfigureAwait(false);
    default:
        Console.Error.Write(Usage.Text);
        return 1;
}
