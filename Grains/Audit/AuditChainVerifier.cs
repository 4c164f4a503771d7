using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// Walks records in order and names the first that breaks the chain: content altered (hash mismatch), a predecessor
/// deleted or altered (sequence gap / previous-hash mismatch), or a tail cut off (head ahead of the last record).
/// </summary>
public sealed class AuditChainVerifier
{
    private long _expectedSequence = 1;
    private string _expectedPrevious = AuditCanonicalForm.GenesisHash;

    /// <summary>Records examined so far.</summary>
    public long Checked { get; private set; }

    /// <summary>The failure, once found (then further records are ignored).</summary>
    public AuditVerification? Failure { get; private set; }

    /// <summary>Checks the next record; returns false once the chain is broken.</summary>
    public bool Accept(AuditRecord record)
    {
        if (Failure is not null)
        {
            return false;
        }

        Checked++;
        if (record.Sequence != _expectedSequence)
        {
            return Fail(record.Sequence < _expectedSequence ? record.Sequence : _expectedSequence,
                $"expected record {_expectedSequence}, found {record.Sequence}: record(s) deleted or reordered");
        }

        if (!string.Equals(record.PreviousHash, _expectedPrevious, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, "previous-hash link does not match the preceding record: a predecessor was altered or deleted");
        }

        var actual = AuditCanonicalForm.ComputeHash(record.Sequence, record.Event, record.PreviousHash);
        if (!string.Equals(actual, record.Hash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, "content does not match its hash: the record was altered");
        }

        _expectedSequence++;
        // Chain on the recomputed hash, so an edited record whose stored hash was also rewritten is still caught next.
        _expectedPrevious = actual;
        return true;
    }

    /// <summary>Final result, comparing with the head the writer recorded (detects a truncated tail).</summary>
    public AuditVerification Complete(AuditChainHead head)
    {
        if (Failure is not null)
        {
            return Failure;
        }

        var last = _expectedSequence - 1;
        if (last < head.LastSequence)
        {
            return new AuditVerification(false, Checked, last + 1, $"records {last + 1}..{head.LastSequence} are missing: the chain was truncated");
        }

        if (last == head.LastSequence && last > 0 && !string.Equals(_expectedPrevious, head.LastHash, StringComparison.Ordinal))
        {
            return new AuditVerification(false, Checked, last, "the last record does not match the head hash: it was altered");
        }

        return new AuditVerification(true, Checked);
    }

    private bool Fail(long sequence, string problem)
    {
        Failure = new AuditVerification(false, Checked, sequence, $"record {sequence}: {problem}");
        return false;
    }
}
