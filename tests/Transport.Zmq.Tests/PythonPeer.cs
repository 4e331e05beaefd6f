using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Apart.Transport.Zmq.Tests;

/// <summary>Peers/peer.py run with Debian's python3 and its pyzmq (a real libzmq), driven over stdin/stdout.</summary>
public sealed class PythonPeer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();

    private PythonPeer(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Peers", "peer.py"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _ = PumpStdoutAsync();
    }

    public int Pid => _process.Id;

    /// <summary>The endpoint the peer bound or connected to (libzmq's LAST_ENDPOINT when bound).</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>A libzmq PAIR socket that binds or connects <paramref name="address"/>.</summary>
    public static async Task<PythonPeer> StartZmqAsync(string mode, string address)
    {
        var peer = new PythonPeer("zmq", mode, address);
        try
        {
            var ready = await peer.ReadLineAsync(s_replyTimeout);
            Assert.StartsWith("ready ", ready);
            peer.Endpoint = ready["ready ".Length..];
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// <paramref name="count"/> presenters in a row from this other process, each connecting, sending
    /// "churn I", awaiting it back and closing at once; returns how many got their reply.
    /// </summary>
    public static async Task<int> ChurnAsync(string address, int count)
    {
        await using var peer = new PythonPeer("churn", address, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var reply = await peer.ReadLineAsync(TimeSpan.FromSeconds(5 * count) + s_replyTimeout);
        return int.Parse(reply.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sends one message; false when libzmq could not within 5 s.</summary>
    public async Task<bool> SendAsync(params byte[][] frames)
    {
        var command = frames.Length == 1 ? "send" : "sendmulti";
        await CommandAsync($"{command} {string.Join(' ', frames.Select(Convert.ToBase64String))}");
        return await ReadLineAsync(s_replyTimeout) == "sent";
    }

    /// <summary>Queues <paramref name="count"/> messages of <paramref name="bytes"/> bytes, message i filled with i % 251.</summary>
    public async Task FloodAsync(int count, int bytes)
    {
        await CommandAsync($"flood {count} {bytes}");
        Assert.Equal("flooded", await ReadLineAsync(s_replyTimeout));
    }

    /// <summary>Sends one message, then closes its socket (flushing the message) and exits.</summary>
    public async Task SendAndExitAsync(byte[] message)
    {
        await CommandAsync($"sendexit {Convert.ToBase64String(message)}");
        await _process.WaitForExitAsync().WaitAsync(s_replyTimeout);
    }

    /// <summary>The next message, or null when none came within <paramref name="timeout"/>.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        await CommandAsync($"recv {(int)timeout.TotalMilliseconds}");
        var reply = await ReadLineAsync(timeout + s_replyTimeout);
        return reply == "timeout" ? null : Convert.FromBase64String(reply["msg ".Length..]);
    }

    /// <summary>SIGKILL, by pid: the peer gets no chance to close anything.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(5000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }

        _process.Dispose();
    }

    private async Task CommandAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    private async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cancel.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            string stderr;
            lock (_stderr)
            {
                stderr = _stderr.ToString();
            }

            throw new TimeoutException($"python peer said nothing within {timeout}; stderr: {stderr}");
        }
    }

    private async Task PumpStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.TryComplete();
    }
}
