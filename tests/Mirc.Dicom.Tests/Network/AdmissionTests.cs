using System.Net;
using System.Net.Sockets;
using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>
/// A listener that cannot be starved: floods of idle TCP connections (from other loopback addresses, 127.0.0.2…) never
/// make a device's association be refused, and one AE title at its cap does not lock out another.
/// </summary>
public sealed class AdmissionTests
{
    private const int FloodConnections = 150;
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    public async Task Idle_connections_from_many_addresses_never_refuse_a_storing_device()
    {
        // Before: pending connections counted as associations, so 150 idle ones made every association be refused
        // "local limit exceeded". Each flood connection that is dropped (no A-ASSOCIATE-RQ within 1 s) reconnects.
        var options = new DicomServerOptions { MaxAssociations = 8, AssociateRequestTimeout = TimeSpan.FromSeconds(1), DimseTimeout = TimeSpan.FromSeconds(10) };
        await using var server = new TestServer(options);
        var ct = Timeout();
        using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var flood = new IdleFlood(server.Port, Enumerable.Range(2, 10).Select(i => IPAddress.Parse($"127.0.0.{i}")), FloodConnections, stopFlood.Token);
        await flood.WaitConnectedAsync(ct);

        // Store until the flood went through a whole round of drops and reconnects: every store must succeed.
        var attempts = 0;
        while (attempts < 30 || flood.Reconnects < FloodConnections)
        {
            attempts += 10;
            Assert.Equal(10, await StoreRepeatedlyAsync(server.Port, IPAddress.Loopback, "DEVICE", associations: 10, ct));
        }

        Assert.Equal(attempts, server.Archive.Stored.Count);
        await stopFlood.CancelAsync();
        await flood.DisposeAsync();
    }

    [Fact]
    public async Task A_flood_from_one_address_is_capped_and_does_not_touch_other_addresses()
    {
        // A long request timeout keeps the flood's first connections open for the whole test: the cap alone protects.
        var options = new DicomServerOptions { MaxConnectionsPerAddress = 32, AssociateRequestTimeout = TimeSpan.FromSeconds(30) };
        await using var server = new TestServer(options);
        var ct = Timeout();
        using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var flooder = IPAddress.Parse("127.0.0.2");
        var flood = new IdleFlood(server.Port, [flooder], FloodConnections, stopFlood.Token, reconnect: false);
        await flood.WaitConnectedAsync(ct);

        // The flooding address cannot even associate: its new connection is closed unanswered.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => DicomClient.ConnectAsync("127.0.0.1", server.Port, "FLOODER", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], new DicomClientOptions { LocalAddress = flooder }, ct: ct));
        Assert.True(refused is DicomAssociationException { Rejection: null } or IOException or SocketException, refused.ToString());

        Assert.Equal(20, await StoreRepeatedlyAsync(server.Port, IPAddress.Loopback, "DEVICE", associations: 20, ct));
        // Closed by the server at once: everything over the cap.
        Assert.Equal(FloodConnections - 32, await flood.CountClosedByServerAsync(FloodConnections - 32, ct));
        await stopFlood.CancelAsync();
        await flood.DisposeAsync();
    }

    [Fact]
    public async Task One_ae_title_holding_its_cap_does_not_lock_out_another()
    {
        await using var server = new TestServer(new DicomServerOptions { MaxAssociationsPerCallingAe = 3, MaxAssociations = 10 });
        var ct = Timeout();
        var held = new List<DicomClient>();
        for (var i = 0; i < 3; i++)
            held.Add(await DicomClient.ConnectAsync("127.0.0.1", server.Port, "GREEDY", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct));

        var ex = await Assert.ThrowsAsync<DicomAssociationException>(() =>
            DicomClient.ConnectAsync("127.0.0.1", server.Port, "GREEDY", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct));
        Assert.Equal(AssociationRejection.LocalLimitExceeded, ex.Rejection);

        await using (var other = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "OTHER", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct))
        {
            Assert.Equal(DimseStatus.Success, (await other.EchoAsync(ct)).Status);
            await other.ReleaseAsync(ct);
        }

        // A released association gives its slot back.
        await held[0].ReleaseAsync(ct);
        await WaitUntilAsync(() => server.Server.ActiveAssociations == 2, ct);
        await using (var again = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "GREEDY", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct))
            await again.ReleaseAsync(ct);
        foreach (var client in held.Skip(1))
        {
            await client.ReleaseAsync(ct);
            await client.DisposeAsync();
        }
        await held[0].DisposeAsync();
    }

    [Fact]
    public async Task Silent_connection_is_closed_after_the_associate_request_timeout_not_the_artim_timer()
    {
        await using var server = new TestServer(new DicomServerOptions { AssociateRequestTimeout = TimeSpan.FromMilliseconds(300), ArtimTimeout = TimeSpan.FromMinutes(5) });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Returns (0 bytes or a reset) only because the server closed: the ARTIM timer alone would wait 5 minutes.
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token));
        }
        catch (SocketException)
        {
            // reset: closed too
        }
    }

    private static async Task<int> StoreRepeatedlyAsync(int port, IPAddress source, string callingAe, int associations, CancellationToken ct)
    {
        var stored = 0;
        for (var i = 0; i < associations; i++)
        {
            await using var client = await DicomClient.ConnectAsync("127.0.0.1", port, callingAe, "MIRC",
                [new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian])], new DicomClientOptions { LocalAddress = source }, ct: ct);
            using var file = new MemoryStream(TestFiles.Create(TestFiles.NewUid(), "1.2.3", DicomUids.ExplicitVRLittleEndian, pixelBytes: 4096));
            if ((await client.StoreAsync(file, ct)).Status == DimseStatus.Success) stored++;
            await client.ReleaseAsync(ct);
        }
        return stored;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition()) await Task.Delay(20, ct);
    }

    /// <summary>Idle TCP connections that send nothing; optionally reconnecting whenever the server closes one.</summary>
    private sealed class IdleFlood : IAsyncDisposable
    {
        private readonly List<Task> _workers = [];
        private readonly List<Socket> _sockets = [];
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly int _connections;
        private int _connectedCount;
        private int _reconnects;
        private int _closedByServer;

        public IdleFlood(int port, IEnumerable<IPAddress> sources, int connections, CancellationToken ct, bool reconnect = true)
        {
            _connections = connections;
            var addresses = sources.ToArray();
            for (var i = 0; i < connections; i++)
                _workers.Add(RunAsync(port, addresses[i % addresses.Length], reconnect, ct));
        }

        public int Reconnects => Volatile.Read(ref _reconnects);

        public Task WaitConnectedAsync(CancellationToken ct) => _connected.Task.WaitAsync(ct);

        public async Task<int> CountClosedByServerAsync(int expected, CancellationToken ct)
        {
            while (Volatile.Read(ref _closedByServer) < expected) await Task.Delay(20, ct);
            return Volatile.Read(ref _closedByServer);
        }

        private async Task RunAsync(int port, IPAddress source, bool reconnect, CancellationToken ct)
        {
            var first = true;
            while (!ct.IsCancellationRequested)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (_gate) _sockets.Add(socket);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                    if (first && Interlocked.Increment(ref _connectedCount) == _connections) _connected.TrySetResult();
                    first = false;
                    try
                    {
                        await socket.ReceiveAsync(new byte[64], SocketFlags.None, ct);
                    }
                    catch (SocketException)
                    {
                        // reset by the server: closed as well
                    }
                    if (ct.IsCancellationRequested) return;
                    Interlocked.Increment(ref _closedByServer);
                    if (!reconnect) return;
                    Interlocked.Increment(ref _reconnects);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    // DisposeAsync closed the socket mid-connect or mid-receive: the flood is over.
                    return;
                }
                catch (SocketException) when (ct.IsCancellationRequested)
                {
                    // A connect aborted by the flood's end.
                    return;
                }
                finally
                {
                    lock (_gate) _sockets.Remove(socket);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            lock (_gate) foreach (var socket in _sockets) socket.Dispose();
            await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
