using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mirc.Grains.Ingest;

namespace Mirc.Grains.Observability;

/// <summary>
/// What the archive counts (meter <see cref="MeterName"/>), whatever the protocol: instances ingested by outcome with
/// their size and latency, ingests waiting for and holding a slot (the ingest queue), instances opened for retrieval
/// and storage errors. BCL instruments: the silo exports them through OpenTelemetry (OTLP, Prometheus).
/// </summary>
public static class ArchiveMetrics
{
    /// <summary>Name of the meter every archive instrument belongs to.</summary>
    public const string MeterName = "Mirc.Archive";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Ingested = Meter.CreateCounter<long>(
        "mirc.ingest.instances", "{instance}", "Instances received for storage (C-STORE, STOW-RS), by outcome status.");

    private static readonly Counter<long> IngestedBytes = Meter.CreateCounter<long>(
        "mirc.ingest.bytes", "By", "Bytes of the Part 10 files durably stored.");

    private static readonly Histogram<double> IngestDuration = Meter.CreateHistogram<double>(
        "mirc.ingest.duration", "s", "Time to store one instance durably (or to refuse it), queue wait included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Histogram<double> IngestPhaseDuration = Meter.CreateHistogram<double>(
        "mirc.ingest.phase.duration", "s",
        "Time of each phase of a stored instance: receive (bytes to the staged blob, network included), prepare (header, "
        + "journal intent, patient resolution, reservation), commit (promotion, manifest, change feed, index), which ops "
        + "compare to find the slow store.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });

    private static readonly Histogram<double> AuditDurableWait = Meter.CreateHistogram<double>(
        "mirc.audit.record.duration", "s", "Time from an audit record's submission to its durable commit (an answer waits for it).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });

    private static readonly Histogram<double> FlushRoundDuration = Meter.CreateHistogram<double>(
        "mirc.storage.flush_round.duration", "s",
        "Time of one flush round of the embedded data folder (syncfs: every write made before it reaches the device); "
        + "each store's answer waits for one, so a slow or failing disk shows here first.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });

    private static readonly UpDownCounter<long> IngestWaiting = Meter.CreateUpDownCounter<long>(
        "mirc.ingest.queued", "{instance}", "Ingests waiting for a slot (Mirc:Ingest:MaxConcurrency bounds those in flight).");

    private static readonly UpDownCounter<long> IngestInFlight = Meter.CreateUpDownCounter<long>(
        "mirc.ingest.in_flight", "{instance}", "Ingests holding a slot.");

    private static readonly Counter<long> Retrieved = Meter.CreateCounter<long>(
        "mirc.retrieve.instances", "{instance}", "Instances opened for retrieval (C-GET, C-MOVE, WADO-RS, WADO-URI, shares).");

    private static readonly Counter<long> RetrievedBytes = Meter.CreateCounter<long>(
        "mirc.retrieve.bytes", "By", "Bytes of the instances opened for retrieval.");

    private static readonly Counter<long> StorageErrors = Meter.CreateCounter<long>(
        "mirc.storage.errors", "{error}", "Blob-store failures met while storing or retrieving, by operation.");

    private static readonly Counter<long> OrphansDeleted = Meter.CreateCounter<long>(
        "mirc.storage.orphans_deleted", "{blob}", "Blobs no manifest referenced, deleted by the orphan sweep, by container kind (instances, staging).");

    // Last lag the change-feed follower saw, per projection (observed, not counted: it is a level).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> FeedLag = new(StringComparer.Ordinal);

    private static readonly ObservableGauge<long> ChangeFeedLagGauge = Meter.CreateObservableGauge(
        "mirc.changefeed.follower.lag", () => FeedLag.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("projection", p.Key))),
        "{event}", "Change-feed events a projection (query index, patient study lists) has not applied yet: feed head minus its checkpoint.");

    internal static void ChangeFeedLag(string projection, long lag) => FeedLag[projection] = lag;

    internal static void IngestQueued() => IngestWaiting.Add(1);

    internal static void OrphanDeleted(string kind) => OrphansDeleted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    internal static void IngestStarted()
    {
        IngestWaiting.Add(-1);
        IngestInFlight.Add(1);
    }

    internal static void IngestSlotRefused() => IngestWaiting.Add(-1);

    internal static void IngestEnded() => IngestInFlight.Add(-1);

    /// <summary>Records one ingest's outcome; <paramref name="startedAt"/> is a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    internal static void IngestCompleted(IngestOutcome outcome, long startedAt)
    {
        var status = new KeyValuePair<string, object?>("status", outcome.Status.ToString());
        Ingested.Add(1, status);
        IngestDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, status);
        if (outcome.Status == IngestStatus.Stored && outcome.Instance is { } stored) IngestedBytes.Add(stored.Size);
    }

    /// <summary>Records a phase of a stored instance from <paramref name="startedAt"/> (a <see cref="Stopwatch.GetTimestamp"/> value); returns now.</summary>
    internal static long IngestPhase(string phase, long startedAt)
    {
        var now = Stopwatch.GetTimestamp();
        IngestPhaseDuration.Record(Stopwatch.GetElapsedTime(startedAt, now).TotalSeconds, new KeyValuePair<string, object?>("phase", phase));
        return now;
    }

    internal static void FlushRoundEnded(long startedAt) => FlushRoundDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);

    internal static void AuditRecorded(long submittedAt) => AuditDurableWait.Record(Stopwatch.GetElapsedTime(submittedAt).TotalSeconds);

    internal static void InstanceOpened(long size)
    {
        Retrieved.Add(1);
        RetrievedBytes.Add(size);
    }

    internal static void StorageFailed(string operation) => StorageErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));
}
