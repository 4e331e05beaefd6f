namespace Apart.Abstractions;

/// <summary>
/// A program and its argument vector. The host never passes these through a shell: each argument
/// reaches the program exactly as written, whatever characters it holds.
/// </summary>
/// <param name="Program">A program name looked up on <c>PATH</c>, or an absolute path.</param>
/// <param name="Arguments">The arguments, without the program name.</param>
public sealed record CommandLine(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>A readable form for logs and error messages (not for a shell).</summary>
    public override string ToString() =>
        Arguments.Count == 0 ? Program : $"{Program} {string.Join(' ', Arguments)}";
}
