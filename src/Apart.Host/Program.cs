using Apart.Host;
using Apart.Host.Native;

StandardDescriptors.EnsureOpen();
switch (args)
{
    case ["--help" or "-h"]:
        Console.Out.Write(Usage.Text());
        return 0;
    case ["--listen"]:
        return await CoreHost.RunAsync(address: null, listen: true).ConfigureAwait(false);
    case ["--listen", var address] when !address.StartsWith('-'):
        return await CoreHost.RunAsync(address, listen: true).ConfigureAwait(false);
    case [var address] when !address.StartsWith('-'):
        return await CoreHost.RunAsync(address, listen: false).ConfigureAwait(false);
    default:
        Console.Error.Write(Usage.Text());
        return 1;
}
