namespace Apart.Abstractions;

/// <summary>A program to run for one imaging step, and the reader of what it says as it goes.</summary>
/// <param name="Command">The program and its arguments; never passed through a shell.</param>
/// <param name="Progress">A parser for this one run's standard error.</param>
public sealed record ImagingCommand(CommandLine Command, IProgressParser Progress);
