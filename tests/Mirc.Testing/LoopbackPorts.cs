using System.Net;
using System.Net.Sockets;

namespace Mirc.Testing;

/// <summary>
/// Hands out loopback TCP ports for servers a test starts. The range sits between Orleans' test-cluster ranges
/// (12000–22000 gateways, 22300–30000 silos: the Grains tests' in-process clusters run beside us) and the kernel's
/// ephemeral range (32768+, where outgoing connections would take them between "found free" and "bound"). Test
/// processes run side by side and a server binds seconds after its port was chosen, so every port is reserved for the
/// life of the process by an exclusive lock on a file in a shared folder: two processes can never be handed the same one.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 30_000;
    private const int Last = 32_700;
    private static readonly string ReservationFolder = Path.Combine(Path.GetTempPath(), "mirc-test-ports");
    private static readonly Dictionary<int, FileStream> Reserved = [];
    private static readonly HashSet<int> Given = [];
    private static int _next = First + Random.Shared.Next(Last - First);

    /// <summary>A port nobody listens on now, reserved for this process and not handed out before in this round.</summary>
    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt <= 2 * (Last - First); attempt++)
            {
                var port = _next;
                if (_next >= Last)
                {
                    // A whole round later the servers of the first ports have long bound or gone: they may be given again.
                    _next = First;
                    Given.Clear();
                }
                else
                {
                    _next++;
                }

                if (!Given.Contains(port) && Reserve(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port between {First} and {Last}");
    }

    /// <summary>
    /// Takes the port's lock file (kept open until the process exits, which releases it even after a crash).
    /// Files are never deleted: deleting one another process has just opened would let a third lock a new file of
    /// the same name.
    /// </summary>
    private static bool Reserve(int port)
    {
        if (Reserved.ContainsKey(port)) return true;
        try
        {
            Directory.CreateDirectory(ReservationFolder);
            Reserved[port] = new FileStream(
                Path.Combine(ReservationFolder, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false; // another test process holds it
        }
        catch (UnauthorizedAccessException)
        {
            return true; // a folder left by another user: no coordination possible, the bind check still applies
        }
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
