using Apart.Abstractions;

namespace Apart.Imaging.Partclone.Tests;

/// <summary>
/// A temporary directory of partclone stand-ins, <c>DIR/pcl.VARIANT</c>, as presenters' test harnesses
/// make them for APART_PARTCLONE_CMD=DIR/pcl.
/// </summary>
internal sealed class StandInDirectory : IDisposable
{
    private const string DefaultScript = "#!/bin/sh\nexit 0\n";

    public StandInDirectory(params string[] executableVariants)
    {
        Path = Directory.CreateTempSubdirectory("apart-pcl-").FullName;
        foreach (var variant in executableVariants)
        {
            Add(variant);
        }
    }

    public string Path { get; }

    public string Prefix => System.IO.Path.Combine(Path, "pcl");

    public string Add(string variant, string script = DefaultScript, bool executable = true)
    {
        var file = Prefix + "." + variant;
        File.WriteAllText(file, script);
        File.SetUnixFileMode(file, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    /// <summary>Finds a program in these directories only, in order: a PATH of their own, for a locator under test.</summary>
    public static Func<string, string?> Finder(params string[] directories) => name =>
        directories.Select(directory => System.IO.Path.Combine(directory, name)).FirstOrDefault(ProgramLocator.IsExecutable);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
