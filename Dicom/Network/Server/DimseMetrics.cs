using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mirc.Dicom.Network;

/// <summary>
/// What the DIMSE server counts (meter <see cref="MeterName"/>): association requests by outcome, open associations,
/// and DIMSE operations by command and status class with their duration. BCL instruments only, so any host (the
/// silo's OpenTelemetry, <c>dotnet-counters</c>) can listen without this library depending on it.
/// </summary>
public static class DimseMetrics
{
    /// <summary>Name of the meter every DIMSE instrument belongs to.</summary>
    public const string MeterName = "Mirc.Dicom";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> AssociationRequests = Meter.CreateCounter<long>(
        "mirc.dimse.associations", "{association}", "Association requests received, by outcome (accepted, rejected) and rejection reason.");

    private static readonly UpDownCounter<long> OpenAssociations = Meter.CreateUpDownCounter<long>(
        "mirc.dimse.associations.open", "{association}", "TCP connections of the DICOM listener currently open (negotiating or associated).");

    private static readonly Counter<long> RefusedConnections = Meter.CreateCounter<long>(
        "mirc.dimse.connections.refused", "{connection}", "TCP connections closed unread because their source address holds its cap (Mirc:Dicom:MaxConnectionsPerAddress): a flood.");

    private static readonly Counter<long> FailedTlsHandshakes = Meter.CreateCounter<long>(
        "mirc.dimse.tls.handshakes.failed", "{connection}", "Connections to the DICOM TLS port closed because the TLS handshake failed or timed out.");

    private static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "mirc.dimse.operation.duration", "s", "Time from a DIMSE request's arrival to its final response, by command and status class.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    internal static void ConnectionRefused() => RefusedConnections.Add(1);

    internal static void TlsHandshakeFailed() => FailedTlsHandshakes.Add(1);

    internal static void ConnectionOpened() => OpenAssociations.Add(1);

    internal static void ConnectionClosed() => OpenAssociations.Add(-1);

    internal static void Accepted() => AssociationRequests.Add(1, new KeyValuePair<string, object?>("outcome", "accepted"));

    internal static void Rejected(AssociationRejection rejection) => AssociationRequests.Add(1,
        new KeyValuePair<string, object?>("outcome", "rejected"),
        new KeyValuePair<string, object?>("reason", ReasonName(rejection)));

    private static string ReasonName(AssociationRejection rejection) =>
        rejection == AssociationRejection.CallingAeNotRecognized ? "calling-ae-not-recognized"
        : rejection == AssociationRejection.CalledAeNotRecognized ? "called-ae-not-recognized"
        : rejection == AssociationRejection.LocalLimitExceeded ? "local-limit-exceeded"
        : rejection == AssociationRejection.ApplicationContextNotSupported ? "application-context-not-supported"
        : rejection == AssociationRejection.ProtocolVersionNotSupported ? "protocol-version-not-supported"
        : $"source-{(byte)rejection.Source}-reason-{rejection.Reason}";

    /// <summary>Records one answered operation; <paramref name="startedAt"/> is a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    internal static void OperationCompleted(CommandField command, ushort status, long startedAt)
    {
        if (!OperationDuration.Enabled) return;
        OperationDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
            new KeyValuePair<string, object?>("command", CommandName(command)),
            new KeyValuePair<string, object?>("status", StatusClass(status)));
    }

    private static string CommandName(CommandField command) => command switch
    {
        CommandField.CEchoRequest => "C-ECHO",
        CommandField.CStoreRequest => "C-STORE",
        CommandField.CFindRequest => "C-FIND",
        CommandField.CGetRequest => "C-GET",
        CommandField.CMoveRequest => "C-MOVE",
        _ => "other",
    };

    // PS3.7 C: 0000 success, FF00/FF01 pending, FE00 cancel, 0001/Bxxx warning, everything else a failure.
    private static string StatusClass(ushort status) => status switch
    {
        DimseStatus.Success => "success",
        DimseStatus.Cancel => "cancel",
        0x0001 or (>= 0xB000 and <= 0xBFFF) => "warning",
        _ => "failure",
    };
}
