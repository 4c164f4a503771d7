using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retention;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Studies;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// A retention erasure stopped after each of its steps (as a crash would), the silo restarted: the bucket's reminder is
/// still registered, its next pass finishes the erasure, and the study ends with exactly one audit record.
/// </summary>
public sealed class ErasureRecoveryTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private const string Establishment = "EST-ERASE";

    [Theory]
    [InlineData(ErasureStep.DeletingBlobs)]
    [InlineData(ErasureStep.ClearingManifest)]
    [InlineData(ErasureStep.RemovingIndexRows)]
    [InlineData(ErasureStep.UnlinkingPatient)]
    [InlineData(ErasureStep.Auditing)]
    [InlineData(ErasureStep.Erased)]
    public async Task A_retention_erasure_stopped_after_any_step_finishes_after_a_restart(ErasureStep stopAfter)
    {
        var ct = TestContext.Current.CancellationToken;
        // One establishment per case: a sweep marks its days swept, so each case needs days of its own.
        var establishment = Establishment + "-" + stopAfter;
        await archive.Grains.GetGrain<IEstablishmentGrain>(establishment).SaveAsync(new EstablishmentProfile { EstablishmentId = establishment, Name = establishment, RetentionYears = 1 });
        var patientKey = "ERASE-" + stopAfter;
        var study = new SyntheticInstance().StudyUid;
        var stored = new List<InstanceEntry>();
        for (var i = 0; i < 3; i++)
        {
            using var stream = new MemoryStream(new SyntheticInstance { StudyUid = study, PatientId = patientKey, InstanceNumber = i + 1 }.ToPart10());
            var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishment } }, ct);
            Assert.Equal(IngestStatus.Stored, outcome.Status);
        }

        await archive.ProjectFeedAsync(); // the follower puts the study in its retention bucket
        stored.AddRange(await archive.Grains.GetGrain<IStudyGrain>(study).GetInstancesAsync());
        var patient = (await archive.Grains.GetGrain<IStudyGrain>(study).GetSummaryAsync()).PatientId!;
        var bucketKey = RetentionKeys.Bucket(establishment, DateOnly.FromDateTime(DateTime.UtcNow), RetentionKeys.Shard(study));
        var bucket = archive.Grains.GetGrain<IRetentionBucketGrain>(bucketKey);

        archive.ErasureTrap.Arm(stopAfter);
        var sweep = new RetentionSweep(archive.Grains, Microsoft.Extensions.Options.Options.Create(new RetentionOptions()),
            new ManualTimeProvider(DateTimeOffset.UtcNow.AddYears(1).AddDays(2)), Microsoft.Extensions.Logging.Abstractions.NullLogger<RetentionSweep>.Instance);
        var first = await sweep.RunAsync(cancellationToken: ct);
        Assert.Contains(study, first.Failed);
        Assert.Contains(study, await bucket.GetStudiesAsync());

        await archive.RestartAsync();
        bucket = archive.Grains.GetGrain<IRetentionBucketGrain>(bucketKey); // the old reference belongs to the stopped client

        // The bucket's reminder survived the restart (durable table): it is what retries the erasure.
        var reminders = archive.Services.GetRequiredService<IReminderTable>();
        Assert.NotNull(await reminders.ReadRow(bucket.GetGrainId(), RetentionBucketGrain.ReminderName, ct));

        // What the reminder's next tick does (its period is at least a minute): the bucket's erasure pass.
        var retry = await bucket.ExpireAsync("Retention period of 1 year(s) elapsed");
        Assert.Equal([study], retry.Erased);
        Assert.Empty(retry.Pending);

        var summary = await archive.Grains.GetGrain<IStudyGrain>(study).GetSummaryAsync();
        Assert.Equal(StudyStatus.Deleted, summary.Status);
        Assert.Equal(0, summary.InstanceCount);
        foreach (var entry in stored)
        {
            Assert.Null(await archive.Blobs.TryGetPropertiesAsync(new BlobKey(entry.BlobContainer, entry.BlobName), ct));
        }

        Assert.Null(await archive.Index.GetStudyAsync(study, ct));
        Assert.DoesNotContain((await archive.Grains.GetGrain<IPatientGrain>(patient).GetAsync()).Studies, s => s.StudyInstanceUid == study);
        Assert.Single(archive.Audit.Durable, e => e.Action == AuditAction.Delete && e.StudyUids.Contains(study));
        Assert.Empty(await bucket.GetStudiesAsync());
        Assert.Null(await reminders.ReadRow(bucket.GetGrainId(), RetentionBucketGrain.ReminderName, ct));
    }

    [Fact]
    public async Task A_crash_between_the_audit_flush_and_the_last_state_write_leaves_one_audit_record()
    {
        var ct = TestContext.Current.CancellationToken;
        using var stream = new MemoryStream(new SyntheticInstance { PatientId = "ERASE-AUDIT" }.ToPart10());
        var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = Establishment } }, ct);
        var study = outcome.StudyInstanceUid!;
        archive.Audit.AfterFlush = () =>
        {
            if (archive.Audit.Durable.Any(e => e.Action == AuditAction.Delete && e.StudyUids.Contains(study)))
            {
                archive.Audit.AfterFlush = null;
                throw new IOException("process killed right after the audit flush");
            }
        };

        await Assert.ThrowsAnyAsync<Exception>(() => archive.Grains.GetGrain<IStudyGrain>(study).DeleteAsync("test", "tester"));
        await archive.RestartAsync();
        var again = await archive.Grains.GetGrain<IStudyGrain>(study).DeleteAsync("test", "tester");

        Assert.True(again.WasAlreadyDeleted);
        Assert.Single(archive.Audit.Durable, e => e.Action == AuditAction.Delete && e.StudyUids.Contains(study));
        Assert.Null(await archive.Index.GetStudyAsync(study, ct));
    }
}
