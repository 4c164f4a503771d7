using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Garbage, absurd lengths, stalls and vanishing peers: the offending association is aborted, others go on.</summary>
public sealed class RobustnessTests
{
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Theory]
    [InlineData(new byte[] { 0x09, 0, 0, 0, 0, 4, 1, 2, 3, 4 })]                 // unknown PDU type
    [InlineData(new byte[] { 0x01, 0, 0x7F, 0xFF, 0xFF, 0xF0 })]                 // A-ASSOCIATE-RQ claiming ~2 GB
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 6, 0, 0, 0, 2, 1, 3 })]          // P-DATA before association
    [InlineData(new byte[] { 0x01, 0, 0, 0, 0, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 })] // A-ASSOCIATE-RQ too short to hold its header
    public async Task Garbage_before_association_is_aborted_and_server_keeps_serving(byte[] garbage)
    {
        await using var server = new TestServer();
        var answer = await SendRawAsync(server.Port, garbage, closeAfterSend: false);
        // Either an A-ABORT or a closed connection, never an accepted association.
        Assert.True(answer.Length == 0 || answer[0] == 0x07, $"unexpected answer PDU type {answer.FirstOrDefault()}");
        await AssertServerStillServesAsync(server.Port);
    }

    [Fact]
    public async Task Truncated_pdu_then_close_does_not_disturb_the_server()
    {
        await using var server = new TestServer();
        await SendRawAsync(server.Port, [0x01, 0, 0, 0, 1, 0, 0, 1, 0], closeAfterSend: true);
        await AssertServerStillServesAsync(server.Port);
    }

    [Fact]
    public async Task Silent_peer_is_dropped_when_artim_expires()
    {
        await using var server = new TestServer(new DicomServerOptions { ArtimTimeout = TimeSpan.FromMilliseconds(500) });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        var started = DateTime.UtcNow;
        var answer = await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
        Assert.True(answer.Length == 0 || answer[0] == 0x07);
    }

    [Fact]
    public async Task Oversized_pdata_on_an_association_aborts_it_without_allocating()
    {
        await using var server = new TestServer();
        using var socket = await AssociateRawAsync(server.Port);
        var pdu = new byte[6];
        pdu[0] = 0x04;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), 0x7FFFFFF0);
        await socket.SendAsync(pdu);
        var answer = await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
        Assert.True(answer.Length == 0 || answer[0] == 0x07);
        await AssertServerStillServesAsync(server.Port);
    }

    [Fact]
    public async Task Peer_vanishing_mid_dataset_fails_the_handler_stream_and_keeps_nothing()
    {
        var archive = new InMemoryArchive { StoreStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var server = new TestServer(archive: archive);
        using (var socket = await AssociateRawAsync(server.Port))
        {
            // C-STORE-RQ command on context 1 (Secondary Capture), then half a dataset, then the peer disappears.
            var command = StoreCommand(TestFiles.NewUid());
            await socket.SendAsync(PData(1, isCommand: true, last: true, command));
            await socket.SendAsync(PData(1, isCommand: false, last: false, new byte[4000]));
            await archive.StoreStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            socket.Close(0);
        }
        await WaitUntilAsync(() => !archive.StoreFailures.IsEmpty, TimeSpan.FromSeconds(10));
        Assert.IsAssignableFrom<IOException>(archive.StoreFailures.First());
        Assert.Empty(archive.Stored);
        await AssertServerStillServesAsync(server.Port);
    }

    [Fact]
    public async Task Peer_stalling_mid_dataset_is_aborted_after_the_dimse_timeout()
    {
        var archive = new InMemoryArchive { StoreStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var server = new TestServer(new DicomServerOptions { DimseTimeout = TimeSpan.FromMilliseconds(700) }, archive);
        using var socket = await AssociateRawAsync(server.Port);
        await socket.SendAsync(PData(1, isCommand: true, last: true, StoreCommand(TestFiles.NewUid())));
        await socket.SendAsync(PData(1, isCommand: false, last: false, new byte[100]));
        var answer = await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
        Assert.True(answer.Length > 0 && answer[0] == 0x07, "expected an A-ABORT");
        await WaitUntilAsync(() => !archive.StoreFailures.IsEmpty, TimeSpan.FromSeconds(10));
        Assert.Empty(archive.Stored);
    }

    [Fact]
    public async Task Idle_association_is_aborted_after_the_idle_timeout()
    {
        await using var server = new TestServer(new DicomServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(600) });
        using var socket = await AssociateRawAsync(server.Port);
        var started = DateTime.UtcNow;
        var answer = await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
        Assert.True(answer.Length > 0 && answer[0] == 0x07, "expected an A-ABORT");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Malformed_pdv_lengths_abort_the_association()
    {
        await using var server = new TestServer();
        using var socket = await AssociateRawAsync(server.Port);
        // PDU of 8 bytes holding a PDV that claims 1000 bytes.
        byte[] pdu = [0x04, 0, 0, 0, 0, 8, 0, 0, 0x03, 0xE8, 1, 3, 0, 0];
        await socket.SendAsync(pdu);
        var answer = await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
        Assert.True(answer.Length > 0 && answer[0] == 0x07, "expected an A-ABORT");
        await AssertServerStillServesAsync(server.Port);
    }

    [Fact]
    public async Task Unknown_user_information_sub_items_are_ignored()
    {
        await using var server = new TestServer();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        await socket.SendAsync(AssociateRequest(extraUserItems: [0x77, 0, 0, 3, 1, 2, 3, 0x53, 0, 0, 4, 0, 5, 0, 5], extraItems: [0x66, 0, 0, 2, 9, 9]));
        var buffer = new byte[4096];
        var n = await socket.ReceiveAsync(buffer);
        Assert.True(n > 0);
        Assert.Equal(0x02, buffer[0]); // A-ASSOCIATE-AC
    }

    [Fact]
    public async Task Max_associations_rejects_transient_local_limit()
    {
        await using var server = new TestServer(new DicomServerOptions { MaxAssociations = 1 });
        var ct = Timeout();
        await using var first = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "A", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct);
        var ex = await Assert.ThrowsAsync<DicomAssociationException>(() =>
            DicomClient.ConnectAsync("127.0.0.1", server.Port, "B", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct));
        Assert.Equal(AssociationRejection.LocalLimitExceeded, ex.Rejection);
        await first.ReleaseAsync(ct);
    }

    [Fact]
    public async Task Stop_aborts_associations_after_the_grace_period()
    {
        var server = new TestServer(new DicomServerOptions { StopGracePeriod = TimeSpan.FromMilliseconds(200) });
        var ct = Timeout();
        var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "A", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct);
        await WaitUntilAsync(() => server.Server.ActiveAssociations == 1, TimeSpan.FromSeconds(5));
        await server.Server.StopAsync(ct).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(0, server.Server.ActiveAssociations);
        await Assert.ThrowsAnyAsync<Exception>(() => client.EchoAsync(ct));
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    private static async Task AssertServerStillServesAsync(int port)
    {
        var ct = Timeout();
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", port, "CHECK", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct);
        Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
        await client.ReleaseAsync(ct);
    }

    private static async Task<Socket> AssociateRawAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(AssociateRequest([], []));
        var header = new byte[6];
        await ReceiveExactlyAsync(socket, header);
        Assert.Equal(0x02, header[0]);
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
        await ReceiveExactlyAsync(socket, body);
        return socket;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read));
            if (n == 0) throw new IOException("closed");
            read += n;
        }
    }

    /// <summary>A-ASSOCIATE-RQ with context 1 = Secondary Capture / Explicit VR LE, built by hand.</summary>
    private static byte[] AssociateRequest(byte[] extraUserItems, byte[] extraItems)
    {
        var body = new MemoryStream();
        body.Write([0, 1, 0, 0]);
        body.Write(Encoding.ASCII.GetBytes("MIRC            RAW             "));
        body.Write(new byte[32]);
        Item(body, 0x10, Encoding.ASCII.GetBytes(DicomUids.DICOMApplicationContext));
        var pc = new MemoryStream();
        pc.Write([1, 0, 0, 0]);
        Item(pc, 0x30, Encoding.ASCII.GetBytes(TestFiles.SecondaryCapture));
        Item(pc, 0x40, Encoding.ASCII.GetBytes(DicomUids.ExplicitVRLittleEndian));
        Item(body, 0x20, pc.ToArray());
        body.Write(extraItems);
        var ui = new MemoryStream();
        Item(ui, 0x51, [0, 0, 0x40, 0]);
        Item(ui, 0x52, Encoding.ASCII.GetBytes("1.2.3.4"));
        ui.Write(extraUserItems);
        Item(body, 0x50, ui.ToArray());
        var pdu = new byte[6 + body.Length];
        pdu[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)body.Length);
        body.ToArray().CopyTo(pdu, 6);
        return pdu;
    }

    private static void Item(Stream s, byte type, byte[] value)
    {
        s.Write([type, 0, (byte)(value.Length >> 8), (byte)value.Length]);
        s.Write(value);
    }

    private static byte[] StoreCommand(string sopInstanceUid)
    {
        var ms = new MemoryStream();
        var elements = new List<(ushort, byte[])>
        {
            (0x0002, Pad(TestFiles.SecondaryCapture)), (0x0100, [0x01, 0x00]), (0x0110, [0x05, 0x00]), (0x0700, [0, 0]),
            (0x0800, [0, 0]), (0x1000, Pad(sopInstanceUid)),
        };
        var groupLength = elements.Sum(e => 8 + e.Item2.Length);
        WriteElement(ms, 0x0000, BitConverter.GetBytes(groupLength));
        foreach (var (e, v) in elements) WriteElement(ms, e, v);
        return ms.ToArray();

        static byte[] Pad(string uid) => Encoding.ASCII.GetBytes(uid.Length % 2 == 1 ? uid + "\0" : uid);
        static void WriteElement(Stream s, ushort element, byte[] value)
        {
            s.Write([0, 0, (byte)element, (byte)(element >> 8)]);
            s.Write(BitConverter.GetBytes(value.Length));
            s.Write(value);
        }
    }

    private static byte[] PData(byte contextId, bool isCommand, bool last, byte[] data)
    {
        var pdu = new byte[12 + data.Length];
        pdu[0] = 0x04;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(6 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(6), (uint)(2 + data.Length));
        pdu[10] = contextId;
        pdu[11] = (byte)((isCommand ? 1 : 0) | (last ? 2 : 0));
        data.CopyTo(pdu, 12);
        return pdu;
    }

    private static async Task<byte[]> SendRawAsync(int port, byte[] data, bool closeAfterSend)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(data);
        if (closeAfterSend)
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        return await ReadToEndAsync(socket, TimeSpan.FromSeconds(10));
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var result = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) break;
                result.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            // reset by the server: fine
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the server neither answered nor closed the connection");
        }
        return result.ToArray();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met");
            await Task.Delay(20);
        }
    }
}
