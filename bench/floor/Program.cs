// The floor: what a .NET console app published like apart-core costs to start, and how much
// memory it holds, with nothing of the core's own. bench/run times spawn → this line.
Console.Out.Write("floor: started\n");
Console.Out.Flush();

// Then it waits for its standard input to end, so that bench/run reads its peak memory (VmHWM)
// from the live process, as it does the core's: ru_maxrss after its end would count the memory
// of the process that spawned it (exec records the spawner's peak, posix_spawn shares its pages).
using var input = Console.OpenStandardInput();
var buffer = new byte[1];
while (input.Read(buffer) > 0)
{
}
