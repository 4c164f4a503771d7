using Microsoft.Extensions.Options;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Patients;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Patients;

/// <summary>The per-silo patient resolution cache stays within its capacity without dropping fresh resolutions.</summary>
public sealed class PatientResolutionCacheTests
{
    private static readonly PatientDemographics Demographics = new() { Name = "DOE^JANE", BirthDate = "19700101", Sex = "F" };

    private static LocalPatientId Local(int i) => new("est", "issuer", $"P{i}");

    private static PatientResolutionCache Cache(ManualTimeProvider clock, int capacity) =>
        new(Options.Create(new IngestOptions { PatientCacheLifetime = TimeSpan.FromSeconds(30), PatientCacheCapacity = capacity }), clock);

    [Fact]
    public void A_full_cache_sweeps_expired_resolutions_and_keeps_fresh_ones()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var cache = Cache(clock, capacity: 10);
        for (var i = 0; i < 6; i++)
        {
            cache.Set(Local(i), null, Demographics, $"R{i}");
        }

        clock.Advance(TimeSpan.FromSeconds(31));
        for (var i = 6; i < 10; i++)
        {
            cache.Set(Local(i), null, Demographics, $"R{i}");
        }

        cache.Set(Local(10), null, Demographics, "R10");

        Assert.Equal(5, cache.Count);
        for (var i = 6; i <= 10; i++)
        {
            Assert.True(cache.TryGet(Local(i), null, Demographics, out var regional));
            Assert.Equal($"R{i}", regional);
        }
    }

    [Fact]
    public void A_stream_of_new_patients_never_holds_more_than_the_capacity()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var cache = Cache(clock, capacity: 100);
        for (var i = 0; i < 5_000; i++)
        {
            cache.Set(Local(i), null, Demographics, $"R{i}");
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(cache.Count <= 100);
        }

        // 1 new patient/s over a 30 s lifetime: the latest resolutions are still answered after every sweep.
        Assert.True(cache.TryGet(Local(4_999), null, Demographics, out _));
        Assert.True(cache.TryGet(Local(4_980), null, Demographics, out _));
    }
}
