using Mirc.Grains.Dimse;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Dimse;

/// <summary>A flood of failed TLS handshakes writes a bounded number of audit records, and none goes uncounted.</summary>
public sealed class HandshakeFailureThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    [Fact]
    public void One_record_per_address_per_interval_with_the_reason()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2026-12-03T00:00:00Z"));
        var throttle = new HandshakeFailureThrottle(Interval, 20, clock);

        Assert.Equal(["DICOM TLS handshake from 10.0.0.1 failed: certificate unknown"], throttle.Admit("10.0.0.1", "certificate unknown"));
        for (var i = 0; i < 100; i++) Assert.Empty(throttle.Admit("10.0.0.1", "certificate unknown"));
        Assert.Single(throttle.Admit("10.0.0.2", "protocol version"));

        clock.Advance(Interval);
        var next = throttle.Admit("10.0.0.1", "again");
        Assert.Equal(2, next.Count);
        Assert.StartsWith("100 further failed DICOM TLS handshake(s) from 1 address(es)", next[0], StringComparison.Ordinal);
        Assert.Equal("DICOM TLS handshake from 10.0.0.1 failed: again", next[1]);
    }

    [Fact]
    public void A_flood_from_many_addresses_is_capped_per_interval_and_summarised_at_the_next()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2026-12-03T00:00:00Z"));
        var throttle = new HandshakeFailureThrottle(Interval, 5, clock);

        var written = 0;
        for (var i = 0; i < 1000; i++) written += throttle.Admit($"10.1.{i / 250}.{i % 250}", "no client certificate").Count;
        Assert.Equal(5, written);

        clock.Advance(Interval + TimeSpan.FromSeconds(1));
        var next = throttle.Admit("10.9.9.9", "no client certificate");
        Assert.Equal(2, next.Count);
        Assert.StartsWith("995 further failed DICOM TLS handshake(s) from 995 address(es)", next[0], StringComparison.Ordinal);

        // The summary is written once; the new interval starts afresh.
        Assert.Single(throttle.Admit("10.9.9.8", "no client certificate"));
    }
}
