using Apart.Abstractions;
using Apart.Protocol;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Codecs;

/// <summary>
/// The codecs the plugins registered, and which of them work here: each codec's probe runs once,
/// all in parallel, at start-up. A codec whose program is missing is simply not offered.
/// </summary>
internal sealed class CodecCatalog(IEnumerable<ICompressor> registered, ILogger<CodecCatalog> logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly List<ICompressor> _registered = registered
        .GroupBy(codec => codec.Name, StringComparer.Ordinal)
        .Select(group => group.First())
        .OrderBy(codec => CompressionOptions.Rank(codec.Name))
        .ThenBy(codec => codec.Name, StringComparer.Ordinal)
        .ToList();

    private readonly TaskCompletionSource _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<ICompressor> _available = [];

    /// <summary>Names of the available codecs, in <c>compression_options</c> order.</summary>
    public IReadOnlyList<string> Options => _available.Select(codec => codec.Name).ToList();

    /// <summary>Runs every probe in parallel; until this completes nothing is available.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Each on its own thread: starting a process blocks for a while, and they should overlap.
            var results = await Task.WhenAll(_registered.Select(codec => Task.Run(() => ProbeAsync(codec, cancellationToken), cancellationToken)))
                .ConfigureAwait(false);
            _available = _registered.Where((_, i) => results[i]).ToList();
        }
        finally
        {
            _probed.TrySetResult();
        }
    }

    /// <summary>Completes once every probe has answered: until then no codec is available.</summary>
    public Task ProbedAsync(CancellationToken cancellationToken) => _probed.Task.WaitAsync(cancellationToken);

    /// <summary>An available codec by its wire name.</summary>
    public ICompressor? ByName(string name) => _available.FirstOrDefault(codec => codec.Name == name);

    /// <summary>A registered codec by file extension, available or not (to say which program is missing).</summary>
    public ICompressor? ByExtension(string extension) => _registered.FirstOrDefault(codec =>
        codec.FileExtension == extension || codec.LegacyFileExtensions.Contains(extension, StringComparer.Ordinal));

    /// <summary>Whether a registered codec passed its probe.</summary>
    public bool IsAvailable(ICompressor codec) => _available.Contains(codec);

    private async Task<bool> ProbeAsync(ICompressor codec, CancellationToken cancellationToken)
    {
        if (codec.Probe is not { } probe)
        {
            return true;
        }

        if (ProgramLocator.Find(probe.Program) is not { } program)
        {
            logger.CodecProbeFailed(codec.Name, probe.ToString(), $"{probe.Program} is not installed");
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            // Its output is read to the end: a version banner written to a closed pipe would fail the probe.
            var result = await ShortProgram.RunAsync(new CommandLine(program, probe.Arguments), timeout.Token).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                logger.CodecProbeFailed(codec.Name, probe.ToString(), $"exit status {result.ExitCode}");
            }

            return result.ExitCode == 0;
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            logger.CodecProbeFailed(codec.Name, probe.ToString(), e.Message);
            return false;
        }
    }
}
