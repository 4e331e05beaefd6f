using System.Diagnostics;
using Apart.Abstractions;

namespace Apart.Compression.Tests;

/// <summary>
/// Test data like a partition image's (text, runs of zeros, incompressible bytes) and images of it
/// made by the real programs, once per test run; each test copies what it damages.
/// </summary>
public sealed class Images : IDisposable
{
    /// <summary>Not a multiple of any chunk: the last chunk is short. Several chunks of every codec.</summary>
    public const int DataLength = (28 << 20) + 12345;

    private readonly Dictionary<string, string> _images = [];
    private readonly Lock _lock = new();

    public Images()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("apart-compression-").FullName;
        Data = MakeData(DataLength, seed: 16);
        DataFile = Path.Join(Directory, "data");
        File.WriteAllBytes(DataFile, Data);
    }

    public string Directory { get; }

    public byte[] Data { get; }

    public string DataFile { get; }

    /// <summary>The data compressed by <paramref name="command"/> (its standard input to its standard output), made once.</summary>
    public string Image(CommandLine command)
    {
        lock (_lock)
        {
            if (!_images.TryGetValue(command.ToString(), out var path))
            {
                path = Path.Join(Directory, $"image-{_images.Count}");
                Pipe(command, DataFile, path);
                _images.Add(command.ToString(), path);
            }

            return path;
        }
    }

    /// <summary>A fresh directory for one test.</summary>
    public string NewDirectory() => System.IO.Directory.CreateDirectory(Path.Join(Directory, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Deterministic bytes in stretches: words, zeros, a short pattern, and random bytes spanning whole 4 MiB blocks.</summary>
    public static byte[] MakeData(int length, int seed)
    {
        var random = new Random(seed);
        var data = new byte[length];
        var words = "partition block inode superblock extent journal bitmap group descriptor directory file "u8.ToArray();
        for (var i = 0; i < length; i++)
        {
            var mb = i >> 20;
            data[i] = mb switch
            {
                < 3 => words[(i + (random.Next(4) == 0 ? random.Next(words.Length) : 0)) % words.Length],
                < 7 => (i & 4095) < 64 ? (byte)(i >> 12) : (byte)0,
                < 13 => (byte)random.Next(256),
                _ => words[(i * 7 + random.Next(3)) % words.Length],
            };
        }

        return data;
    }

    /// <summary>Runs <paramref name="command"/> with <paramref name="input"/> as its standard input and <paramref name="output"/> as its standard output.</summary>
    public static void Pipe(CommandLine command, string input, string output)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true };
        foreach (var argument in (string[])["-c", "exec \"$0\" \"$@\" <\"$APART_IN\" >\"$APART_OUT\"", command.Program, .. command.Arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["APART_IN"] = input;
        start.Environment["APART_OUT"] = output;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} exited with {process.ExitCode}: {error}");
        }
    }

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="data"/> from <paramref name="offset"/> to a new file.</summary>
    public string Part(string name, int offset, int length)
    {
        var path = Path.Join(Directory, name);
        File.WriteAllBytes(path, Data.AsSpan(offset, length).ToArray());
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
