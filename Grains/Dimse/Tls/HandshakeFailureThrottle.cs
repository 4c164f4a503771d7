namespace Mirc.Grains.Dimse;

/// <summary>
/// Decides which failed TLS handshakes reach the audit trail, per interval: the first failure of each source address,
/// at most <c>maxPerInterval</c> records in all, and — when the next interval begins — one summary counting the
/// failures that were not recorded one by one. A flood thus writes a bounded number of records whatever its size;
/// memory is bounded too (the addresses of one interval, at most <see cref="MaxTrackedSources"/>).
/// </summary>
public sealed class HandshakeFailureThrottle(TimeSpan interval, int maxPerInterval, TimeProvider clock)
{
    /// <summary>Addresses remembered in one interval.</summary>
    public const int MaxTrackedSources = 10_000;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _recorded;
    private int _unrecorded;
    private readonly HashSet<string> _unrecordedSources = new(StringComparer.Ordinal);

    /// <summary>The audit details to write for a failure from <paramref name="address"/>: none, one, or a summary of the previous interval and one.</summary>
    public IReadOnlyList<string> Admit(string address, string reason)
    {
        var now = clock.GetUtcNow();
        var details = new List<string>(2);
        lock (_gate)
        {
            if (now - _windowStart >= interval)
            {
                if (_unrecorded > 0)
                {
                    details.Add($"{_unrecorded} further failed DICOM TLS handshake(s) from {_unrecordedSources.Count} address(es) since "
                        + $"{_windowStart:u} not recorded one by one (first failure per address and at most {maxPerInterval} records "
                        + $"per {interval.TotalSeconds:0} s; the log has each)");
                }

                _windowStart = now;
                _recorded = 0;
                _unrecorded = 0;
                _unrecordedSources.Clear();
                _seen.Clear();
            }

            var isNew = !_seen.Contains(address);
            if (isNew && _seen.Count < MaxTrackedSources) _seen.Add(address);
            if (!isNew || _recorded >= maxPerInterval)
            {
                _unrecorded++;
                if (_unrecordedSources.Count < MaxTrackedSources) _unrecordedSources.Add(address);
                return details;
            }

            _recorded++;
            details.Add($"DICOM TLS handshake from {address} failed: {reason}");
        }

        return details;
    }
}
