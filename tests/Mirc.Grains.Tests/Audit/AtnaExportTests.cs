using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Audit;
using Mirc.Grains.Audit.Atna;
using Mirc.Grains.Interfaces.Audit;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>DICOM PS3.15 A.5 messages over RFC 5424 syslog, received by local listeners on 127.0.0.1.</summary>
public sealed class AtnaExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AuditEvent Retrieve = new()
    {
        Timestamp = new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero),
        Action = AuditAction.Retrieve,
        ActorId = "rad-b",
        ActorRpps = "10000000002",
        ActorEstablishmentId = "EST-B",
        Source = "10.2.3.4",
        PatientId = "PAT-42",
        StudyUids = ["1.2.3.4.5", "1.2.3.4.6"],
    };

    private static SyslogAtnaSink Sink(int port, SyslogTransport transport) => new(
        Options.Create(new AuditOptions { Syslog = new SyslogOptions { Host = "127.0.0.1", Port = port, Transport = transport, AppName = "MIRC-TEST" } }),
        NullLogger<SyslogAtnaSink>.Instance);

    [Fact]
    public async Task Udp_datagram_carries_an_rfc_5424_header_and_a_dicom_audit_message()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        await using var sink = Sink(port, SyslogTransport.Udp);

        await sink.SendAsync([Retrieve], Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = await listener.ReceiveAsync(timeout.Token);

        AssertMessage(received.Buffer);
    }

    [Fact]
    public async Task Tcp_stream_uses_octet_counting()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var sink = Sink(port, SyslogTransport.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var accept = listener.AcceptTcpClientAsync(timeout.Token);
            await sink.SendAsync([Retrieve, Retrieve with { Action = AuditAction.Login, PatientId = null, StudyUids = [] }], Ct);
            using var client = await accept;
            var stream = client.GetStream();

            var first = await ReadFrameAsync(stream, timeout.Token);
            AssertMessage(first);
            var second = await ReadFrameAsync(stream, timeout.Token);
            var xml = Xml(second);
            Assert.Equal("110114", xml.Root!.Element("EventIdentification")!.Element("EventID")!.Attribute("csd-code")!.Value);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Unconfigured_export_sends_nothing_and_unreachable_collector_does_not_throw()
    {
        await using var disabled = new SyslogAtnaSink(Options.Create(new AuditOptions()), NullLogger<SyslogAtnaSink>.Instance);
        await disabled.SendAsync([Retrieve], Ct);

        // Nothing listens on a port we just released: the failure is logged, never thrown into the audit writer.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var unreachable = Sink(port, SyslogTransport.Tcp);
        await unreachable.SendAsync([Retrieve], Ct);
    }

    private static void AssertMessage(byte[] message)
    {
        var text = Encoding.UTF8.GetString(message);
        Assert.StartsWith("<85>1 2026-11-24T10:30:00.000Z ", text, StringComparison.Ordinal);
        Assert.Contains(" MIRC-TEST ", text, StringComparison.Ordinal);
        Assert.Contains(" IHE+RFC-3881 - \uFEFF<?xml", text, StringComparison.Ordinal);

        var root = Xml(message).Root!;
        Assert.Equal("AuditMessage", root.Name.LocalName);
        var identification = root.Element("EventIdentification")!;
        Assert.Equal("R", identification.Attribute("EventActionCode")!.Value);
        Assert.Equal("0", identification.Attribute("EventOutcomeIndicator")!.Value);
        Assert.Equal("110103", identification.Element("EventID")!.Attribute("csd-code")!.Value);
        Assert.Equal("DCM", identification.Element("EventID")!.Attribute("codeSystemName")!.Value);

        var requestor = root.Elements("ActiveParticipant").Single(p => p.Attribute("UserIsRequestor")!.Value == "true");
        Assert.Equal("rad-b", requestor.Attribute("UserID")!.Value);
        Assert.Equal("10.2.3.4", requestor.Attribute("NetworkAccessPointID")!.Value);
        Assert.Equal("MIRC-TEST", root.Element("AuditSourceIdentification")!.Attribute("AuditSourceID")!.Value);

        var objects = root.Elements("ParticipantObjectIdentification").ToList();
        Assert.Equal(["PAT-42", "1.2.3.4.5", "1.2.3.4.6"], objects.Select(o => o.Attribute("ParticipantObjectID")!.Value));
        Assert.Equal("110180", objects[1].Element("ParticipantObjectIDTypeCode")!.Attribute("csd-code")!.Value);
    }

    private static XDocument Xml(byte[] message)
    {
        var start = message.AsSpan().IndexOf("\uFEFF"u8.ToArray()) + 3;
        using var payload = new MemoryStream(message, start, message.Length - start);
        return XDocument.Load(payload);
    }

    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var length = 0;
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, cancellationToken);
            if (one[0] == (byte)' ')
            {
                break;
            }

            length = length * 10 + (one[0] - '0');
        }

        var frame = new byte[length];
        await stream.ReadExactlyAsync(frame, cancellationToken);
        return frame;
    }
}
