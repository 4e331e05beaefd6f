namespace Apart.Imaging.Partclone.Tests;

/// <summary>Tests that change environment variables, which are process-wide: run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = "Process environment";
}
