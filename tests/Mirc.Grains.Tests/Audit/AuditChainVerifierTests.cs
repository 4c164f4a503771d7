using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

public sealed class AuditChainVerifierTests
{
    private static List<AuditRecord> Chain(int count)
    {
        var records = new List<AuditRecord>();
        var previous = AuditCanonicalForm.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var record = AuditCanonicalForm.Seal(i, new AuditEvent
            {
                Timestamp = new DateTimeOffset(2026, 11, 24, 9, 0, i, TimeSpan.Zero),
                Action = i % 2 == 0 ? AuditAction.Retrieve : AuditAction.Query,
                ActorId = "user" + i,
                PatientId = "PAT-" + (i % 3),
                StudyUids = ["1.2.3." + i],
            }, previous);
            records.Add(record);
            previous = record.Hash;
        }

        return records;
    }

    private static AuditVerification Verify(IEnumerable<AuditRecord> records, AuditChainHead head)
    {
        var verifier = new AuditChainVerifier();
        foreach (var record in records)
        {
            if (!verifier.Accept(record))
            {
                break;
            }
        }

        return verifier.Complete(head);
    }

    private static AuditChainHead HeadOf(List<AuditRecord> records) => new(records[^1].Sequence, records[^1].Hash, 1);

    [Fact]
    public void Intact_chain_verifies()
    {
        var records = Chain(10);
        var result = Verify(records, HeadOf(records));
        Assert.True(result.IsIntact);
        Assert.Equal(10, result.RecordsChecked);
        Assert.Null(result.FirstBrokenSequence);
    }

    [Fact]
    public void Edited_record_is_named()
    {
        var records = Chain(10);
        var head = HeadOf(records);
        records[4] = records[4] with { Event = records[4].Event with { ActorId = "mallory" } };

        var result = Verify(records, head);
        Assert.False(result.IsIntact);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains("altered", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Edited_record_with_recomputed_hash_breaks_the_next_link()
    {
        var records = Chain(10);
        var head = HeadOf(records);
        var forged = records[4].Event with { Outcome = AuditOutcome.Denied };
        records[4] = AuditCanonicalForm.Seal(5, forged, records[4].PreviousHash);

        var result = Verify(records, head);
        Assert.False(result.IsIntact);
        Assert.Equal(6, result.FirstBrokenSequence);
    }

    [Fact]
    public void Deleted_record_is_named()
    {
        var records = Chain(10);
        var head = HeadOf(records);
        records.RemoveAt(6); // sequence 7

        var result = Verify(records, head);
        Assert.False(result.IsIntact);
        Assert.Equal(7, result.FirstBrokenSequence);
        Assert.Contains("deleted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_tail_is_detected_against_the_head()
    {
        var records = Chain(10);
        var head = HeadOf(records);
        records.RemoveRange(8, 2);

        var result = Verify(records, head);
        Assert.False(result.IsIntact);
        Assert.Equal(9, result.FirstBrokenSequence);
        Assert.Contains("truncated", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_form_covers_every_field()
    {
        var e = new AuditEvent
        {
            Timestamp = DateTimeOffset.UnixEpoch,
            Action = AuditAction.Store,
            ActorId = "a",
            ActorRpps = "r",
            ActorEstablishmentId = "e",
            ActorRoles = "Technician",
            Source = "s",
            PatientId = "p",
            StudyUids = ["1.2"],
            Detail = "d",
        };
        var reference = AuditCanonicalForm.ComputeHash(1, e, AuditCanonicalForm.GenesisHash);
        var variants = new[]
        {
            e with { Timestamp = e.Timestamp.AddTicks(1) }, e with { Action = AuditAction.Delete }, e with { Outcome = AuditOutcome.Failure },
            e with { ActorId = "b" }, e with { ActorRpps = "x" }, e with { ActorEstablishmentId = "x" }, e with { ActorRoles = "x" },
            e with { Source = "x" }, e with { PatientId = "x" }, e with { StudyUids = ["1.3"] }, e with { Detail = "x" }, e with { RequiresReview = true },
        };
        Assert.All(variants, v => Assert.NotEqual(reference, AuditCanonicalForm.ComputeHash(1, v, AuditCanonicalForm.GenesisHash)));
        Assert.NotEqual(reference, AuditCanonicalForm.ComputeHash(2, e, AuditCanonicalForm.GenesisHash));
        Assert.Equal(reference, AuditCanonicalForm.ComputeHash(1, e with { Timestamp = e.Timestamp.ToOffset(TimeSpan.FromHours(2)) }, AuditCanonicalForm.GenesisHash));
    }
}
