// The floor: what a .NET console app published like apart-core costs to start, and how much
// memory it holds, with nothing of the core's own. bench/run times spawn → this line.
Console.Out.Write("floor: started\n");
Console.Out.Flush();
