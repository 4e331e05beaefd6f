namespace Apart.Cli.Output;

/// <summary>Shows one job's progress while it runs: a live bar on a terminal, plain lines elsewhere.</summary>
internal interface IProgressDisplay
{
    /// <summary>Shows a job called <paramref name="title"/> while <paramref name="follow"/> runs and reports to it.</summary>
    Task<T> ShowAsync<T>(string title, Func<IProgressSink, Task<T>> follow);
}
