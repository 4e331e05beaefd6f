using System.Text;

namespace Apart.Transport.Zmq.Tests;

public static class Payloads
{
    public static byte[] Yaml(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>1 MiB of a pattern that is not all zeros, so a misplaced byte shows.</summary>
    public static byte[] OneMebibyte()
    {
        var bytes = new byte[1024 * 1024];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i % 251);
        }

        return bytes;
    }
}
