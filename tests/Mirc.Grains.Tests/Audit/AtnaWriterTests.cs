using System.Net;
using System.Net.Sockets;
using System.Text;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>A silo whose audit trail is configured to export ATNA messages to a UDP listener on 127.0.0.1.</summary>
public sealed class AtnaCluster : SecurityCluster
{
    public AtnaCluster()
    {
        Listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Settings["Mirc:Audit:Syslog:Host"] = "127.0.0.1";
        Settings["Mirc:Audit:Syslog:Port"] = ((IPEndPoint)Listener.Client.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Mirc:Audit:Syslog:Transport"] = "Udp";
    }

    public UdpClient Listener { get; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Listener.Dispose();
    }
}

public sealed class AtnaWriterTests(AtnaCluster cluster) : IClassFixture<AtnaCluster>
{
    [Fact]
    public async Task Committed_events_are_exported_when_syslog_is_configured()
    {
        var ct = TestContext.Current.CancellationToken;
        await cluster.Audit.RecordAsync(new AuditEvent
        {
            Timestamp = DateTimeOffset.UtcNow,
            Action = AuditAction.Delete,
            ActorId = "est-admin",
            PatientId = "PAT-DEL",
            StudyUids = ["1.2.3.4.5.6"],
        }, ct);
        await cluster.Audit.FlushAsync(ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = await cluster.Listener.ReceiveAsync(timeout.Token);
        var text = Encoding.UTF8.GetString(received.Buffer);
        Assert.Contains("IHE+RFC-3881", text, StringComparison.Ordinal);
        Assert.Contains("csd-code=\"110105\"", text, StringComparison.Ordinal); // DICOM Study Deleted
        Assert.Contains("ParticipantObjectID=\"1.2.3.4.5.6\"", text, StringComparison.Ordinal);
    }
}
