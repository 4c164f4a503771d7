using System.Net;
using System.Net.Sockets;

namespace Mirc.Testing;

/// <summary>
/// Hands out loopback TCP ports for servers a test starts. Ports come from below the kernel's ephemeral range
/// (32768+), so outgoing connections of parallel tests can never take them between "found free" and "bound"; a
/// per-process set keeps two hosts of one test run from getting the same port, and a random start spreads
/// parallel test processes apart.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20_000;
    private const int Last = 32_000;
    private static readonly HashSet<int> Given = [];
    private static int _next = First + Random.Shared.Next(Last - First);

    /// <summary>A port nobody listens on now and not handed out before in this process.</summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < Last - First; attempt++)
            {
                var port = _next;
                _next = _next >= Last ? First : _next + 1;
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port between {First} and {Last}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
