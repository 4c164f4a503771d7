using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>
/// The server's reads leave the connection in quick-ack mode: what it received is acknowledged at once, so a peer that
/// keeps Nagle's algorithm on (dcmtk's default) sends its next PDU without waiting ~40 ms for a delayed ACK. Checked on
/// the socket itself (Linux <c>getsockopt(TCP_QUICKACK)</c>), not by timing: a request/response exchange puts a plain
/// socket in the kernel's interactive ("ping-pong") mode, which delays ACKs and reads back as 0.
/// </summary>
public sealed class ImmediateAckTests
{
    private const int IpProtoTcp = 6;
    private const int TcpQuickAck = 12;

    [Fact]
    public async Task Every_read_of_a_request_response_exchange_leaves_the_connection_acknowledging_at_once()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "TCP_QUICKACK is a Linux socket option");
        var ct = TestContext.Current.CancellationToken;
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = false };
        await client.ConnectAsync(listener.LocalEndPoint!, ct);
        using var server = await listener.AcceptAsync(ct);
        await using var stream = new Mirc.Dicom.Network.ImmediateAckNetworkStream(server);

        var request = new byte[100];
        var response = new byte[40];
        var modes = new List<int>();
        for (var i = 0; i < 30; i++)
        {
            // A command PDU in, then the server's answer out: the exchange a C-STORE is.
            await client.SendAsync(request, ct);
            await stream.ReadExactlyAsync(new byte[request.Length], ct);
            modes.Add(QuickAck(server));
            await stream.WriteAsync(response, ct);
            await ReceiveExactlyAsync(client, response.Length, ct);
        }

        Assert.All(modes, mode => Assert.Equal(1, mode));
    }

    private static int QuickAck(Socket socket)
    {
        var value = new byte[4];
        socket.GetRawSocketOption(IpProtoTcp, TcpQuickAck, value);
        return BitConverter.ToInt32(value);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), ct);
            Assert.True(n > 0, "connection closed");
            read += n;
        }
    }
}
